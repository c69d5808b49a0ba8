import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs, type JobRequest } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';

/**
 * Redis holds the delayed jobs; PostgreSQL holds what they are for. After Redis may have lost them
 * (a restart without persistence, a failover to an empty replica, a flush), the jobs PostgreSQL
 * calls for are declared again: a close job for every auction not closed, at its current end, and
 * an expiry job for every pending offer. Their ids are deterministic, so a job still queued is
 * left as it is. Soonest first, a batch per transaction, so the auctions most at risk of closing
 * late get their jobs back first and no transaction grows with the number of open auctions.
 */
export async function redeclareScheduledJobs(em: EntityManager, followUps: FollowUpDispatcher, batch = 1000): Promise<{ closes: number; expiries: number }> {
  const closes = await inBatches(em, followUps, batch, `select id, ends_at as due, ends_at::text as cursor from auctions where status <> 'closed'`, 'ends_at', (row) =>
    jobs.closeAuction(row.id, row.due),
  );
  const expiries = await inBatches(em, followUps, batch, `select id, expires_at as due, expires_at::text as cursor from offers where status = 'pending'`, 'expires_at', (row) =>
    jobs.expireOffer(row.id, row.due),
  );
  return { closes, expiries };
}

interface DueRow {
  id: string;
  due: Date;
  /** The due time exactly as stored (microseconds), for the keyset: a Date keeps only milliseconds. */
  cursor: string;
}

async function inBatches(
  em: EntityManager,
  followUps: FollowUpDispatcher,
  batch: number,
  select: string,
  dueColumn: string,
  declare: (row: DueRow) => JobRequest,
): Promise<number> {
  let after: { cursor: string; id: string } = { cursor: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
  let total = 0;
  for (;;) {
    const rows = await transactionWithFollowUps(em, followUps, async (tx) => {
      const found = await tx.execute<DueRow[]>(`${select} and (${dueColumn}, id) > (?::timestamptz, ?::uuid) order by ${dueColumn}, id limit ?`, [after.cursor, after.id, batch]);
      return { value: found, followUps: { jobs: found.map((row) => declare({ ...row, due: new Date(row.due) })) } };
    });
    total += rows.length;
    if (rows.length < batch) return total;
    after = { cursor: rows.at(-1)!.cursor, id: rows.at(-1)!.id };
  }
}
