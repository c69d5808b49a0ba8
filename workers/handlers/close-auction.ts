import { DelayedError, type Job } from 'bullmq';
import { closeAuction } from '../../domain/auctions/close-auction.ts';
import { jobIds, type JobOutcome, type JobPayloads } from '../../domain/follow-ups/job-contract.ts';
import type { WorkerContext } from '../context.ts';

/** Closes the auction if it is due; if a late bid moved the end, the use case declared the next job. */
export function closeAuctionHandler(ctx: WorkerContext) {
  return async (job: Job<JobPayloads['close-auction']>, token?: string): Promise<JobOutcome> => {
    const { auctionId, requestId } = job.data;
    const result = await closeAuction(ctx.orm.em.fork(), ctx.followUps, auctionId);
    switch (result.result) {
      case 'not-found':
      case 'already-closed':
        return { status: 'skipped', detail: result.result };
      case 'not-due':
        if (jobIds.closeAuction(auctionId, result.endsAt) === job.id) {
          // This very job ran early (this host's clock is ahead of the database's): the declared
          // successor has its id, so adding it was a no-op. Delay this one instead.
          await job.moveToDelayed(Date.now() + Math.max(result.waitMs, 1), token);
          throw new DelayedError();
        }
        return { status: 'rescheduled', detail: result.endsAt.toISOString() };
      case 'closed':
        ctx.logger.info({ job: job.id, auctionId, requestId, outcome: result.outcome, lateByMs: result.lateByMs, tradeId: result.tradeId }, 'auction closed');
        ctx.metrics.closeLateness.observe(Math.max(0, result.lateByMs) / 1000);
        return { status: 'done', detail: result.outcome };
    }
  };
}
