import type { Job } from 'bullmq';
import { processPhoto } from '../../domain/photos/process-photo.ts';
import type { WorkerContext } from '../context.ts';
import type { JobOutcome, JobPayloads } from '../../domain/follow-ups/job-contract.ts';

/** An unusable file is recorded on the photo and ends the job; a storage error is retried. */
export function processPhotoHandler(ctx: WorkerContext) {
  return async (job: Job<JobPayloads['process-photo']>): Promise<JobOutcome> => {
    const result = await processPhoto(ctx.orm.em.fork(), ctx.objects, ctx.images, job.data.photoId);
    if (result.result === 'failed') ctx.logger.info({ photoId: job.data.photoId, reason: result.reason, requestId: job.data.requestId }, 'photo rejected');
    return { status: result.result === 'skipped' ? 'skipped' : 'done', detail: result.result === 'ready' ? `${result.width}x${result.height}` : result.reason };
  };
}
