import type { Job } from 'bullmq';
import type { JobOutcome, JobPayloads } from '../../domain/follow-ups/job-contract.ts';
import { matchKeywordAlerts } from '../../domain/keyword-alerts/match-keyword-alerts.ts';
import type { WorkerContext } from '../context.ts';

/** Notifies the owners of the keyword alerts a new or relisted listing matches. */
export function matchKeywordAlertsHandler(ctx: WorkerContext) {
  return async (job: Job<JobPayloads['match-keyword-alerts']>): Promise<JobOutcome> => {
    const { notified } = await matchKeywordAlerts(ctx.orm.em.fork(), ctx.followUps, job.data.listingId, new Date(job.data.listedAt));
    return { status: notified ? 'done' : 'skipped', detail: `${notified} notified` };
  };
}
