import { Queue, type JobsOptions } from 'bullmq';
import { QUEUE_NAMES, QUEUE_OF, type JobName, type JobPayloads, type QueueName } from '../domain/follow-ups/job-contract.ts';
import { createRedis, isCluster, type Redis, type RedisTarget } from './redis.ts';

/** Retry policy per job; close and SMS jobs back off exponentially and keep a bounded history. */
const JOB_OPTIONS: { [J in JobName]: JobsOptions } = {
  'close-auction': { attempts: 12, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 7 * 86_400 } },
  'expire-offer': { attempts: 12, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 7 * 86_400 } },
  'expire-trade': { attempts: 12, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 7 * 86_400 } },
  'send-sms': { attempts: 8, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 30 * 86_400 } },
  'match-keyword-alerts': { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 7 * 86_400 } },
  'process-photo': { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: { age: 86_400, count: 50_000 }, removeOnFail: { age: 7 * 86_400 } },
  'delete-objects': { attempts: 10, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: { age: 86_400, count: 10_000 }, removeOnFail: { age: 30 * 86_400 } },
  sweep: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
};

export interface JobQueues {
  queues: Record<QueueName, Queue>;
  enqueue<J extends JobName>(name: J, payload: JobPayloads[J], options?: { jobId?: string | undefined; delayMs?: number }): Promise<void>;
  /** Resolves once the producer's connection is up (a fail-fast connection refuses commands before). */
  waitUntilReady(): Promise<void>;
  /**
   * Whether the connection is up now. BullMQ waits for a connection that has never been ready
   * instead of failing, so a fail-fast producer checks this first.
   */
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * BullMQ's scripts touch several keys of a queue at once, so on a cluster they must share a slot:
 * the prefix is then a hash tag (`{gavel}:bull`), which puts every queue on one shard. A single
 * Redis keeps the names it always had (`gavel:bull`), so jobs queued before an upgrade stay found.
 */
export const bullPrefix = (redisKeyPrefix: string, cluster = false) => (cluster ? `{${redisKeyPrefix}}:bull` : `${redisKeyPrefix}:bull`);

/**
 * The producer side of every queue, for the API and the workers alike. It fails fast
 * (`failFast`) so that a Redis outage delays a job, not a request: the job's outbox row stays and
 * the relay enqueues it once Redis is back.
 */
export function createJobQueues(
  redis: RedisTarget | string,
  redisKeyPrefix: string,
  options: { failFast?: boolean; onError?: (error: Error) => void } = {},
): JobQueues {
  const failFast = options.failFast ?? false;
  const target = typeof redis === 'string' ? { redisUrl: redis } : redis;
  const connection: Redis = createRedis(target, failFast ? 'commands' : 'queue');
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix: bullPrefix(redisKeyPrefix, isCluster(target)) })]),
  ) as Record<QueueName, Queue>;
  // Without a listener a Redis outage would print raw stack traces instead of going to the log.
  const onError = options.onError ?? (() => undefined);
  connection.on('error', onError);
  for (const queue of Object.values(queues)) queue.on('error', onError);
  return {
    queues,
    get connected() {
      return connection.status === 'ready';
    },
    async enqueue(name, payload, options = {}) {
      if (failFast && connection.status !== 'ready') throw new Error(`job queue connection is ${connection.status}; not enqueueing ${name}`);
      await queues[QUEUE_OF[name]].add(name, payload, {
        ...JOB_OPTIONS[name],
        ...(options.jobId ? { jobId: options.jobId } : {}),
        ...(options.delayMs ? { delay: Math.max(0, Math.round(options.delayMs)) } : {}),
      });
    },
    async waitUntilReady() {
      await Promise.all(Object.values(queues).map((q) => q.waitUntilReady()));
    },
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      connection.disconnect();
    },
  };
}
