import { closeAuction } from '../../domain/auctions/close-auction.ts';
import {
  findOverdueAuctionIds,
  findStalledPhotoIds,
  findStrandedNotificationIds,
  purgeAbandonedUploads,
  purgeExpiredIdempotencyKeys,
  queueEndingSoonNotices,
} from '../../domain/maintenance/sweep-queries.ts';
import { failInterruptedSends } from '../../domain/notifications/send-notification.ts';
import type { WorkerContext } from '../context.ts';
import { enqueueNotifications } from '../enqueue-notifications.ts';
import { jobIds, type JobOutcome } from '../jobs.ts';

/** A notification still pending this long after it was written has probably lost its job. */
const STRANDED_AFTER_S = 30;
/** A photo still processing this long after it was attached has probably lost its job. */
const STALLED_PHOTO_AFTER_S = 120;

/**
 * The safety net behind the delayed jobs: no auction stays open past its end even if its job was
 * lost, no notification waits (or hangs half-sent) forever, no photo stays processing, and "ending
 * soon" notices go out on time.
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
    const interrupted = await failInterruptedSends(em());
    if (interrupted.length) ctx.logger.warn({ notificationIds: interrupted }, 'SMS sends interrupted mid-way marked failed; not resent');
    const stalledPhotos = await findStalledPhotoIds(em(), STALLED_PHOTO_AFTER_S);
    await Promise.all(stalledPhotos.map((photoId) => ctx.jobs.enqueue('process-photo', { photoId }, { jobId: jobIds.processPhoto(photoId) })));
    const abandoned = await purgeAbandonedUploads(em());
    if (abandoned.length) await ctx.jobs.enqueue('delete-objects', { keys: abandoned });
    const purged = await purgeExpiredIdempotencyKeys(em());
    return { status: 'done', detail: JSON.stringify({ closed, endingSoon: endingSoon.length, interrupted: interrupted.length, abandoned: abandoned.length, purged }) };
  };
}
