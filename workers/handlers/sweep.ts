import { closeAuction } from '../../domain/auctions/close-auction.ts';
import {
  findOverdueAuctionIds,
  findStrandedNotificationIds,
  purgeExpiredIdempotencyKeys,
  queueEndingSoonNotices,
} from '../../domain/maintenance/sweep-queries.ts';
import type { WorkerContext } from '../context.ts';
import { enqueueNotifications } from '../enqueue-notifications.ts';
import type { JobOutcome } from '../jobs.ts';

/** A notification still pending this long after it was written has probably lost its job. */
const STRANDED_AFTER_S = 30;

/**
 * The safety net behind the delayed jobs: no auction stays open past its end even if its job was
 * lost, no notification waits forever, and "ending soon" notices go out on time.
 */
export function sweepHandler(ctx: WorkerContext) {
  return async (): Promise<JobOutcome> => {
    const em = () => ctx.orm.em.fork();
    let closed = 0;
    for (const auctionId of await findOverdueAuctionIds(em())) {
      const result = await closeAuction(em(), auctionId);
      if (result.result === 'closed') {
        closed++;
        ctx.logger.warn({ auctionId, lateByMs: result.lateByMs }, 'sweep closed an overdue auction');
        await ctx.events.publish(em(), result.event).catch(() => undefined);
        await enqueueNotifications(ctx.jobs, result.notificationIds);
      }
    }
    const endingSoon = await queueEndingSoonNotices(em(), ctx.config.workers.endingSoonNoticeS);
    await enqueueNotifications(ctx.jobs, [...endingSoon, ...(await findStrandedNotificationIds(em(), STRANDED_AFTER_S))]);
    const purged = await purgeExpiredIdempotencyKeys(em());
    return { status: 'done', detail: JSON.stringify({ closed, endingSoon: endingSoon.length, purged }) };
  };
}
