import type { PhotoChange } from '../domain/photos/attach-photos.ts';
import type { JobQueues } from '../infra/job-queues.ts';
import { jobIds } from '../workers/jobs.ts';

/** After a listing's photos changed: process the new ones, remove the objects of the old ones. */
export async function enqueuePhotoWork(jobs: JobQueues, change: PhotoChange, requestId: string): Promise<void> {
  await Promise.all(change.added.map((photoId) => jobs.enqueue('process-photo', { photoId, requestId }, { jobId: jobIds.processPhoto(photoId) })));
  if (change.removedKeys.length) await jobs.enqueue('delete-objects', { keys: change.removedKeys, requestId });
}
