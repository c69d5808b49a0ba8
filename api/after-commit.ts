import type { AppContext } from './context.ts';

/**
 * Runs queue work after a transaction committed. A failure (Redis down) is logged, not returned
 * to the client: the change is already the truth in PostgreSQL, and the workers' sweep closes
 * overdue auctions and re-queues pending notifications that were never enqueued.
 */
export async function afterCommit(ctx: AppContext, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    ctx.state.log.warn({ err: error, what }, 'could not enqueue after commit; the sweep will catch up');
  }
}
