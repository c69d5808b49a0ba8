import { DelayedError, type Job } from 'bullmq';
import { closeAuction } from '../../domain/auctions/close-auction.ts';
import type { WorkerContext } from '../context.ts';
import { enqueueNotifications } from '../enqueue-notifications.ts';
import { jobIds, type JobOutcome, type JobPayloads } from '../jobs.ts';

/** Closes the auction if it is due; if a late bid moved the end, follows it with a new job. */
export function closeAuctionHandler(ctx: WorkerContext) {
  return async (job: Job<JobPayloads['close-auction']>, token?: string): Promise<JobOutcome> => {
    const { auctionId, requestId } = job.data;
    const log = ctx.logger.child({ job: job.id, auctionId, requestId });
    const result = await closeAuction(ctx.orm.em.fork(), auctionId);
    switch (result.result) {
      case 'not-found':
      case 'already-closed':
        return { status: 'skipped', detail: result.result };
      case 'not-due': {
        // Timed by the database's clock, which judges the end, not by this host's.
        const delayMs = result.endsAt.getTime() - result.now.getTime();
        const jobId = jobIds.closeAuction(auctionId, result.endsAt);
        if (jobId === job.id) {
          // This very job ran early (this host's clock is ahead of the database's). Adding it again
          // would be a no-op under its own id and leave the auction to the sweep: delay it instead.
          await job.moveToDelayed(Date.now() + Math.max(delayMs, 1), token);
          throw new DelayedError();
        }
        await ctx.jobs.enqueue('close-auction', { auctionId, endsAt: result.endsAt.toISOString() }, { jobId, delayMs });
        return { status: 'rescheduled', detail: result.endsAt.toISOString() };
      }
      case 'closed':
        log.info({ outcome: result.outcome, lateByMs: result.lateByMs, tradeId: result.tradeId }, 'auction closed');
        ctx.metrics.closeLateness.observe(Math.max(0, result.lateByMs) / 1000);
        // Best effort: if this fails, the outbox relay publishes the event a moment later.
        await ctx.events.publish(ctx.orm.em.fork(), result.event).catch((error: unknown) => log.warn({ err: error }, 'could not publish the close event'));
        await enqueueNotifications(ctx.jobs, result.notificationIds, requestId);
        return { status: 'done', detail: result.outcome };
    }
  };
}
