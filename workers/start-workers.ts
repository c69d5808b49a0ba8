import { writeFile } from 'node:fs/promises';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { QUEUE_NAMES, QUEUE_OF, type JobName, type JobOutcome, type JobPayloads } from '../domain/follow-ups/job-contract.ts';
import { bullPrefix } from '../infra/job-queues.ts';
import { createRedis, isCluster, type Redis } from '../infra/redis.ts';
import { runWithRequestId } from '../infra/request-origin.ts';
import { inJobSpan } from '../infra/trace-context.ts';
import type { WorkerContext } from './context.ts';
import { closeAuctionHandler } from './handlers/close-auction.ts';
import { deleteObjectsHandler } from './handlers/delete-objects.ts';
import { expireOfferHandler } from './handlers/expire-offer.ts';
import { expireTradeHandler } from './handlers/expire-trade.ts';
import { matchKeywordAlertsHandler } from './handlers/match-keyword-alerts.ts';
import { processPhotoHandler } from './handlers/process-photo.ts';
import { sendSmsHandler } from './handlers/send-sms.ts';
import { sweepHandler } from './handlers/sweep.ts';
import { startFollowUpRelay } from './follow-up-relay.ts';
import { startScheduleKeeper, type ScheduleKeeper } from './schedule-keeper.ts';

/** `token` is the worker's lock on the job, for handlers that move their own job (moveToDelayed). */
type Handlers = { [J in JobName]: (job: Job<JobPayloads[J]>, token?: string) => Promise<JobOutcome> };

export interface WorkerOptions {
  /** How long a job's lock lasts without renewal; a killed worker's jobs are retaken after it. */
  lockDurationMs?: number;
}

export interface RunningWorkers {
  /**
   * Resolves once this worker has asserted the sweep schedule and declared the delayed jobs again
   * from PostgreSQL (its schedule keeper's first pass). The queues are served before that.
   */
  scheduled: Promise<void>;
  /** Stops taking jobs and waits for the active ones to finish. */
  close(): Promise<void>;
}

/**
 * BullMQ needs every key to stay: with an evicting policy Redis may silently drop queued jobs.
 * Managed Redis often forbids CONFIG, so a refusal is a warning too, not a crash.
 */
export async function checkRedisForQueues(redis: Redis, ctx: WorkerContext): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      ctx.logger.warn({ policy }, 'Redis maxmemory-policy is not noeviction: queued jobs may be evicted; set maxmemory-policy noeviction');
    }
  } catch (error) {
    ctx.logger.warn({ err: error }, 'could not read Redis maxmemory-policy; make sure it is noeviction');
  }
}

export async function startWorkers(ctx: WorkerContext, options: WorkerOptions = {}): Promise<RunningWorkers> {
  let keeper: ScheduleKeeper | undefined;
  const handlers: Handlers = {
    'close-auction': closeAuctionHandler(ctx),
    'expire-offer': expireOfferHandler(ctx),
    'expire-trade': expireTradeHandler(ctx),
    'send-sms': sendSmsHandler(ctx),
    'match-keyword-alerts': matchKeywordAlertsHandler(ctx),
    'process-photo': processPhotoHandler(ctx),
    'delete-objects': deleteObjectsHandler(ctx),
    sweep: sweepHandler(ctx, { started: async () => keeper?.sweepStarted() }),
  };
  const connections: Redis[] = [];
  const workers = QUEUE_NAMES.map((queue) => {
    // Declared jobs without a queue to run them, or a queue nobody serves, is a bug: fail at start.
    if (!Object.values(QUEUE_OF).includes(queue)) throw new Error(`queue ${queue} has no job declared`);
    const connection = createRedis(ctx.config, 'queue');
    connections.push(connection);
    const worker = new Worker(
      queue,
      async (job: Job, token?: string) => {
        const name = job.name as JobName;
        if (!(name in handlers) || QUEUE_OF[name] !== queue) throw new UnrecoverableError(`no handler for ${job.name} on ${queue}`);
        // A retried, rescheduled or stalled job waited partly by design: only first starts say how far behind the workers are.
        if (job.attemptsStarted <= 1) ctx.metrics.jobWait.observe({ queue }, Math.max(0, Date.now() - job.timestamp - (job.opts.delay ?? 0)) / 1000);
        const stop = ctx.metrics.jobDuration.startTimer({ queue, name });
        try {
          const handler = handlers[name] as (job: Job, token?: string) => Promise<JobOutcome>;
          // What this job's use case declares carries the id of the request that caused the job, and its
          // spans continue that request's trace (with tracing on).
          const { requestId, traceparent } = job.data as Pick<JobPayloads[JobName], 'requestId' | 'traceparent'>;
          const outcome = await runWithRequestId(requestId, () => inJobSpan({ queue, name, id: job.id, traceparent }, () => handler(job, token)));
          stop({ status: outcome.status });
          return outcome;
        } catch (error) {
          stop({ status: error instanceof DelayedError ? 'rescheduled' : 'failed' });
          throw error;
        }
      },
      {
        connection,
        prefix: bullPrefix(ctx.config.redisKeyPrefix, isCluster(ctx.config)),
        // Decoding a photo takes up to a few hundred MB: a couple at a time per process is plenty.
        concurrency: queue === 'media' ? Math.min(ctx.config.workers.concurrency, 2) : ctx.config.workers.concurrency,
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.lockDurationMs ?? 30_000,
        maxStalledCount: 3,
      },
    );
    worker.on('failed', (job, error) => ctx.logger.warn({ queue, job: job?.id, name: job?.name, attempts: job?.attemptsMade, err: error }, 'job failed'));
    worker.on('error', (error) => ctx.logger.error({ queue, err: error }, 'worker error'));
    return worker;
  });
  await checkRedisForQueues(connections[0]!, ctx);
  await Promise.all([...workers.map((w) => w.waitUntilReady()), ctx.jobs.waitUntilReady()]);
  // The sweep's schedule and the delayed jobs, asserted from now on by a timer of this worker's own
  // (not awaited here: start-up is over as soon as the queues are served).
  keeper = startScheduleKeeper(ctx);
  const relay = startFollowUpRelay(ctx);
  const heartbeat = startHeartbeat(ctx.config.workers.heartbeatFile, () => workers.every((w) => w.isRunning()));
  return {
    scheduled: keeper.firstPass,
    async close() {
      // Timers first, so nothing new starts while the active jobs finish.
      clearInterval(heartbeat);
      await keeper.stop();
      await relay.stop();
      await Promise.all(workers.map((w) => w.close()));
      for (const connection of connections) connection.disconnect();
    },
  };
}

/** For container health checks: the file's mtime is fresh while every queue is being served. */
function startHeartbeat(file: string | undefined, healthy: () => boolean): NodeJS.Timeout | undefined {
  if (!file) return undefined;
  const beat = () => {
    if (healthy()) writeFile(file, new Date().toISOString()).catch(() => undefined);
  };
  beat();
  return setInterval(beat, 10_000).unref();
}
