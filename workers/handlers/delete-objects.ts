import type { Job } from 'bullmq';
import type { WorkerContext } from '../context.ts';
import type { JobOutcome, JobPayloads } from '../../domain/follow-ups/job-contract.ts';

export function deleteObjectsHandler(ctx: WorkerContext) {
  return async (job: Job<JobPayloads['delete-objects']>): Promise<JobOutcome> => {
    await ctx.objects.remove(job.data.keys);
    return { status: 'done', detail: `${job.data.keys.length} objects` };
  };
}
