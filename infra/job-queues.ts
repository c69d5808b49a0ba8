import { Queue, type JobsOptions } from 'bullmq';
import { QUEUE_NAMES, QUEUE_OF, type JobName, type JobPayloads, type QueueName } from '../workers/jobs.ts';
import { createRedis, type Redis } from './redis.ts';

/** Retry policy per job; close and SMS jobs back off exponentially and keep a bounded history. */
const JOB_OPTIONS: { [J in JobName]: JobsOptions } = {
  'close-auction': { attempts: 12, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 7 * 86_400 } },
  'send-sms': { attempts: 8, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 30 * 86_400 } },
  'process-photo': { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 7 * 86_400 } },
  'delete-objects': { attempts: 10, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: { age: 86_400, count: 10_000 }, removeOnFail: { age: 30 * 86_400 } },
  sweep: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
};

export interface JobQueues {
  queues: Record<QueueName, Queue>;
  enqueue<J extends JobName>(name: J, payload: JobPayloads[J], options?: { jobId?: string; delayMs?: number }): Promise<void>;
  close(): Promise<void>;
}

export const bullPrefix = (redisKeyPrefix: string) => `${redisKeyPrefix}:bull`;

/**
 * The producer side of every queue, for the API and the workers alike. The API fails fast
 * (`failFast`) so that a Redis outage delays a job, not a request: the sweep repairs what was
 * not enqueued.
 */
export function createJobQueues(
  redisUrl: string,
  redisKeyPrefix: string,
  options: { failFast?: boolean; onError?: (error: Error) => void } = {},
): JobQueues {
  const connection: Redis = createRedis(redisUrl, options.failFast ? 'commands' : 'queue');
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix: bullPrefix(redisKeyPrefix) })]),
  ) as Record<QueueName, Queue>;
  // Without a listener a Redis outage would print raw stack traces instead of going to the log.
  const onError = options.onError ?? (() => undefined);
  connection.on('error', onError);
  for (const queue of Object.values(queues)) queue.on('error', onError);
  return {
    queues,
    async enqueue(name, payload, options = {}) {
      await queues[QUEUE_OF[name]].add(name, payload, {
        ...JOB_OPTIONS[name],
        ...(options.jobId ? { jobId: options.jobId } : {}),
        ...(options.delayMs ? { delay: Math.max(0, Math.round(options.delayMs)) } : {}),
      });
    },
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      connection.disconnect();
    },
  };
}
