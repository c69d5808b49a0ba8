import type { JobQueues } from '../infra/job-queues.ts';
import { jobIds } from './jobs.ts';

/** One send job per notification row; the deterministic id makes a repeat harmless. */
export async function enqueueNotifications(jobs: JobQueues, notificationIds: string[], requestId?: string): Promise<void> {
  await Promise.all(
    notificationIds.map((notificationId) =>
      jobs.enqueue('send-sms', { notificationId, ...(requestId ? { requestId } : {}) }, { jobId: jobIds.sendSms(notificationId) }),
    ),
  );
}
