import { DelayedError, type Job } from 'bullmq';
import type { JobOutcome, JobPayloads } from '../../domain/follow-ups/job-contract.ts';
import { expireOffer } from '../../domain/offers/expire-offer.ts';
import type { WorkerContext } from '../context.ts';

/** Ends an offer at its expiry; run early (this host's clock ahead of the database's), it waits the rest. */
export function expireOfferHandler(ctx: WorkerContext) {
  return async (job: Job<JobPayloads['expire-offer']>, token?: string): Promise<JobOutcome> => {
    const result = await expireOffer(ctx.orm.em.fork(), ctx.followUps, job.data.offerId);
    if (result.result === 'not-due') {
      await job.moveToDelayed(Date.now() + Math.max(result.waitMs, 1), token);
      throw new DelayedError();
    }
    return { status: result.result === 'expired' ? 'done' : 'skipped', detail: result.result };
  };
}
