import { UnrecoverableError, type Job } from 'bullmq';
import { sendNotification } from '../../domain/notifications/send-notification.ts';
import type { WorkerContext } from '../context.ts';
import type { JobOutcome, JobPayloads } from '../../domain/follow-ups/job-contract.ts';

/**
 * Sends one SMS. Throttling and server errors are thrown so the queue retries with backoff; a
 * permanent error (or the last attempt) is recorded on the row and ends the job as failed,
 * visible in Bull Board, never retried again.
 */
export function sendSmsHandler(ctx: WorkerContext) {
  return async (job: Job<JobPayloads['send-sms']>): Promise<JobOutcome> => {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const result = await sendNotification(ctx.orm.em.fork(), ctx.sms, job.data.notificationId, { finalAttempt });
    switch (result.result) {
      case 'sent':
        // What left and under which provider id, for "I never got the SMS"; never the phone or the text.
        ctx.logger.info({ notificationId: job.data.notificationId, kind: result.kind, messageId: result.messageId, job: job.id, requestId: job.data.requestId }, 'SMS sent');
        return { status: 'done', detail: result.messageId };
      case 'skipped':
        return { status: 'skipped', detail: result.reason };
      case 'retry':
        throw result.error;
      case 'failed':
        throw new UnrecoverableError(`SMS not delivered: ${result.error}`);
    }
  };
}
