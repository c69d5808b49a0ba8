import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '../shared/ids.ts';
import type { RecordedJob } from './follow-ups.ts';
import type { JobName, JobRequest } from './job-contract.ts';

interface OutboxRow {
  id: string;
  name: JobName;
  payload: JobRequest['payload'];
  job_id: string;
  delay_ms: string;
}

/** The wait is worked out by the database clock, so a host whose clock drifts cannot move a due time. */
const DELAY_MS = `greatest(0, coalesce(extract(epoch from run_at - clock_timestamp()) * 1000, 0))::bigint as delay_ms`;

const toRecorded = (row: OutboxRow): RecordedJob => ({
  outboxId: row.id,
  request: { name: row.name, payload: row.payload, jobId: row.job_id } as JobRequest,
  delayMs: Number(row.delay_ms),
});

/** Writes the jobs a change declares into `job_outbox`, in the change's own transaction. */
export async function recordJobs(tx: EntityManager, requests: JobRequest[]): Promise<RecordedJob[]> {
  if (!requests.length) return [];
  const rows = requests.map((request) => {
    const id = newId();
    return { id, name: request.name, payload: request.payload, job_id: request.jobId ?? `outbox-${id}`, run_at: request.runAt?.toISOString() ?? null };
  });
  const recorded = await tx.execute<OutboxRow[]>(
    `insert into job_outbox (id, name, payload, job_id, run_at)
     select id, name, payload, job_id, run_at from jsonb_to_recordset(?::jsonb)
       as r(id uuid, name text, payload jsonb, job_id text, run_at timestamptz)
     returning id, name, payload, job_id, ${DELAY_MS}`,
    [JSON.stringify(rows)],
  );
  return recorded.map(toRecorded);
}

/** Removes outbox rows whose jobs are now in the queue. */
export async function forgetJobs(em: EntityManager, outboxIds: string[]): Promise<void> {
  if (!outboxIds.length) return;
  await em.execute(`delete from job_outbox where id in (select jsonb_array_elements_text(?::jsonb)::uuid)`, [JSON.stringify(outboxIds)]);
}

/**
 * Jobs still in the outbox `graceMs` after they were recorded: the process that committed them
 * died or could not reach Redis. Locked with SKIP LOCKED so two relays never take the same row.
 */
export async function claimStrandedJobs(tx: EntityManager, graceMs: number, limit: number): Promise<RecordedJob[]> {
  const rows = await tx.execute<OutboxRow[]>(
    `select id, name, payload, job_id, ${DELAY_MS} from job_outbox
     where created_at < now() - make_interval(secs => ?)
     order by created_at limit ? for update skip locked`,
    [graceMs / 1000, limit],
  );
  return rows.map(toRecorded);
}
