import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs, type JobRequest } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';

/**
 * The delayed jobs PostgreSQL calls for, by what is due and when: a close for every auction not
 * closed (at its current end), an expiry for every pending offer and every pending purchase. Each due time is read from
 * PostgreSQL, never from Redis, so these are the rows to rebuild the queue from after Redis lost it.
 */
const SCHEDULED: { what: 'closes' | 'expiries'; select: string; due: string; declare: (id: string, due: Date) => JobRequest }[] = [
  { what: 'closes', select: `select id, ends_at as due, ends_at::text as cursor from auctions where status <> 'closed'`, due: 'ends_at', declare: jobs.closeAuction },
  { what: 'expiries', select: `select id, expires_at as due, expires_at::text as cursor from offers where status = 'pending'`, due: 'expires_at', declare: jobs.expireOffer },
  {
    what: 'expiries',
    select: `select id, expires_at as due, expires_at::text as cursor from trades where status = 'pending' and kind = 'purchase' and expires_at is not null`,
    due: 'expires_at',
    declare: jobs.expireTrade,
  },
];

interface DueRow {
  id: string;
  due: Date;
  /** The due time exactly as stored (microseconds), for the keyset: a Date keeps only milliseconds. */
  cursor: string;
}

/**
 * Declares every job in `SCHEDULED` again through the follow-ups, under the ids of the job
 * contract: a job still queued is left as it is (same id), a lost one is queued again. Soonest
 * first, a batch per transaction, so the jobs most at risk come back first and no transaction
 * grows with the number of open auctions. `stop` ends the pass between batches (shutdown).
 */
export async function redeclareScheduledJobs(
  em: EntityManager,
  followUps: FollowUpDispatcher,
  options: { batch?: number; stop?: () => boolean } = {},
): Promise<{ closes: number; expiries: number }> {
  const batch = options.batch ?? 1000;
  const declared = { closes: 0, expiries: 0 };
  for (const scheduled of SCHEDULED) {
    let after = { cursor: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
    for (;;) {
      if (options.stop?.()) return declared;
      const rows = await transactionWithFollowUps(em.fork(), followUps, async (tx) => {
        const found = await tx.execute<DueRow[]>(
          `${scheduled.select} and (${scheduled.due}, id) > (?::timestamptz, ?::uuid) order by ${scheduled.due}, id limit ?`,
          [after.cursor, after.id, batch],
        );
        return { value: found, followUps: { jobs: found.map((row) => scheduled.declare(row.id, new Date(row.due))) } };
      });
      declared[scheduled.what] += rows.length;
      if (rows.length < batch) break;
      after = { cursor: rows.at(-1)!.cursor, id: rows.at(-1)!.id };
    }
  }
  return declared;
}
