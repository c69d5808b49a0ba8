import { closeAuction } from '../../domain/auctions/close-auction.ts';
import type { JobOutcome } from '../../domain/follow-ups/job-contract.ts';
import {
  findOverdueAuctionIds,
  purgeAbandonedUploads,
  purgeExpiredIdempotencyKeys,
  requeueStalledPhotos,
} from '../../domain/maintenance/sweep-queries.ts';
import { queueEndingSoonNotices } from '../../domain/notifications/ending-soon.ts';
import { settleInterruptedSends } from '../../domain/notifications/interrupted-sends.ts';
import { expireOverdueOffers } from '../../domain/offers/expire-offer.ts';
import { expireOverdueTrades } from '../../domain/trades/expire-trade.ts';
import { purgeEndedPhoneVerifications } from '../../domain/accounts/phone-verification.ts';
import type { WorkerContext } from '../context.ts';

/** A photo still processing this long after it was attached has probably lost its job. */
const STALLED_PHOTO_AFTER_S = 120;

/**
 * The safety net behind the delayed jobs: no auction stays open past its end even if its job was
 * lost, no send hangs half-done forever (resent or given up, by its kind), no photo stays
 * processing, and "ending soon" notices go out on time. (Follow-ups a dead process left in their outbox rows are the relay's.)
 */
export function sweepHandler(ctx: WorkerContext, options: { started?: () => Promise<void> } = {}) {
  return async (): Promise<JobOutcome> => {
    // Tells the schedule keeper of every worker that the schedule is alive.
    await options.started?.();
    const em = () => ctx.orm.em.fork();
    let closed = 0;
    for (const auctionId of await findOverdueAuctionIds(em())) {
      const result = await closeAuction(em(), ctx.followUps, auctionId);
      if (result.result === 'closed') {
        closed++;
        ctx.logger.warn({ auctionId, lateByMs: result.lateByMs }, 'sweep closed an overdue auction');
      }
    }
    const endingSoon = await queueEndingSoonNotices(em(), ctx.followUps, ctx.config.workers.endingSoonNoticeS);
    const interrupted = await settleInterruptedSends(em(), ctx.followUps);
    if (interrupted.resent.length) ctx.logger.warn({ notificationIds: interrupted.resent }, 'SMS sends interrupted mid-way resent: their kind prefers a rare duplicate to silence');
    if (interrupted.failed.length) ctx.logger.warn({ notificationIds: interrupted.failed }, 'SMS sends interrupted mid-way marked failed; not resent');
    const stalledPhotos = await requeueStalledPhotos(em(), ctx.followUps, STALLED_PHOTO_AFTER_S);
    const abandoned = await purgeAbandonedUploads(em(), ctx.followUps);
    const purged = await purgeExpiredIdempotencyKeys(em());
    const expiredOffers = await expireOverdueOffers(em(), ctx.followUps);
    const expiredTrades = await expireOverdueTrades(em(), ctx.followUps);
    const verifications = await purgeEndedPhoneVerifications(em());
    return {
      status: 'done',
      detail: JSON.stringify({
        closed, endingSoon, interrupted: interrupted.resent.length + interrupted.failed.length, stalledPhotos, abandoned, purged, expiredOffers, expiredTrades, verifications,
      }),
    };
  };
}
