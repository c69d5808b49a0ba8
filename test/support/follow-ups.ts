import type { FollowUpDispatcher } from '../../domain/follow-ups/follow-ups.ts';
import type { EntityManager } from '../../infra/database.ts';

/**
 * A dispatcher for a process that dies right after its commit: it carries nothing out, so all
 * that is left of a change's follow-ups is what its transaction wrote (outbox rows, pending
 * notifications), which is exactly what the relay must be able to finish from.
 */
export const diedAfterCommit: FollowUpDispatcher = { dispatch: async () => undefined };

export interface OutboxJob {
  name: string;
  payload: Record<string, unknown>;
  job_id: string;
  delay_ms: number;
}

/** The jobs left in the outbox, oldest first, with their remaining wait by the database clock. */
export const outboxJobs = (em: EntityManager): Promise<OutboxJob[]> =>
  em.execute<OutboxJob[]>(
    `select name, payload, job_id, greatest(0, coalesce(extract(epoch from run_at - clock_timestamp()) * 1000, 0))::int as delay_ms
     from job_outbox order by created_at, id`,
  );
