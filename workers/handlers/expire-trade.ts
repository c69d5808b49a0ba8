import { DelayedError, type Job } from 'bullmq';
import type { JobOutcome, JobPayloads } from '../../domain/follow-ups/job-contract.ts';
import { expireTrade } from '../../domain/trades/expire-trade.ts';
import type { WorkerContext } from '../context.ts';

/** Ends a pending purchase at its expiry; run early (this host's clock ahead of the database's), it waits the rest. */
export function expireTradeHandler(ctx: WorkerContext) {
  return async (job: Job<JobPayloads['expire-trade']>, token?: string): Promise<JobOutcome> => {
    const result = await expireTrade(ctx.orm.em.fork(), ctx.followUps, job.data.tradeId);
    if (result.result === 'not-due') {
      await job.moveToDelayed(Date.now() + Math.max(result.waitMs, 1), token);
      throw new DelayedError();
    }
    return { status: result.result === 'expired' ? 'done' : 'skipped', detail: result.result };
  };
}
