import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher, FollowUps } from './follow-ups.ts';
import { recordJobs } from './job-outbox.ts';

/**
 * Runs `work` in one transaction, records the jobs it declares in that same transaction, and
 * hands every follow-up to the dispatcher once the commit succeeded. A rollback carries nothing out.
 */
export async function transactionWithFollowUps<T>(
  em: EntityManager,
  dispatcher: FollowUpDispatcher,
  work: (tx: EntityManager) => Promise<{ value: T; followUps?: FollowUps }>,
  /** Wraps the transaction alone, not what follows the commit (a queue for a hot row's lock). */
  inTurn: <R>(transaction: () => Promise<R>) => Promise<R> = (transaction) => transaction(),
): Promise<T> {
  const { value, committed } = await inTurn(() => em.transactional(async (tx) => {
    const { value, followUps = {} } = await work(tx);
    return {
      value,
      committed: {
        events: followUps.events ?? [],
        notifications: followUps.notifications ?? [],
        messageIds: followUps.messageIds ?? [],
        userControls: followUps.userControls ?? [],
        jobs: await recordJobs(tx, followUps.jobs ?? []),
      },
    };
  }));
  if (committed.events.length || committed.notifications.length || committed.messageIds.length || committed.userControls.length || committed.jobs.length) await dispatcher.dispatch(committed);
  return value;
}
