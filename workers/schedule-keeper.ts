import { randomUUID } from 'node:crypto';
import type { JobOutcome } from '../domain/follow-ups/job-contract.ts';
import { redeclareScheduledJobs } from '../domain/maintenance/scheduled-jobs.ts';
import { createRedis, type Redis } from '../infra/redis.ts';
import type { WorkerContext } from './context.ts';

/** How often each worker looks at Redis for a loss. */
const CHECK_EVERY_MS = 1_000;
/**
 * Jobs are declared again this often even when no loss was seen, for a job lost on its own (a key
 * evicted against advice). Anything overdue is the sweep's within an interval anyway.
 */
const REDECLARE_EVERY_MS = 5 * 60_000;

export interface ScheduleKeeper {
  /** The sweep as its schedule runs it: it leaves the mark that tells every worker sweeps happen. */
  scheduledSweep(): Promise<JobOutcome>;
  /** Asserts the schedule and declares the jobs (a worker's start), then keeps watching. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Redis holds the sweep's schedule and every delayed job; PostgreSQL is the truth of what must
 * close and when. Redis can lose all of it (a restart without persistence, a failover to an empty
 * replica, a flush) without any connection dropping, and nothing in Redis then remembers the
 * schedule, so every worker watches for itself, every second:
 * - an epoch key, written once and never expiring, that only a loss removes. Gone, or replaced by
 *   a worker that saw it gone, or a (re)connection: the worker re-asserts the sweep schedule,
 *   declares the delayed jobs again from PostgreSQL and re-queues pending notifications at once.
 * - a mark every sweep leaves for two intervals and 5 s. Gone: the schedule is lost or stuck, so
 *   the one worker that takes the mark re-asserts the schedule and sweeps by itself.
 * While Redis cannot be reached at all, each worker sweeps on its own timer: closing needs only
 * PostgreSQL (the close's SMS and events wait in their rows for Redis).
 */
export function createScheduleKeeper(ctx: WorkerContext, sweep: () => Promise<JobOutcome>): ScheduleKeeper {
  const intervalMs = ctx.config.workers.sweepIntervalS * 1000;
  const markTtlMs = 2 * intervalMs + 5_000;
  const keys = { epoch: `${ctx.config.redisKeyPrefix}:workers:epoch`, swept: `${ctx.config.redisKeyPrefix}:workers:swept` };
  const log = ctx.logger.child({ component: 'schedule-keeper' });
  // Its own fail-fast connection: a check must not hang while Redis is away, and its 'ready' is a reconnect.
  const redis: Redis = createRedis(ctx.config.redisUrl, 'commands');
  redis.on('error', () => undefined); // the queues' connections already log the outage

  let epoch: string | null = null;
  /** Why the schedule and the jobs must be asserted again; cleared only once that succeeded. */
  let recoverBecause: string | null = null;
  let lastRedeclaredAt = 0;
  let lastSweptHereAt = 0;
  let unreachable = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<void> | null = null;

  const markSwept = () => redis.set(keys.swept, 'swept', 'PX', markTtlMs);

  const assertSchedule = () =>
    // Upserting by a fixed id makes every worker process agree on one schedule, not one each.
    ctx.jobs.queues.maintenance.upsertJobScheduler('sweep', { every: intervalMs }, { name: 'sweep', data: {} });

  async function recover(reason: string) {
    // Adopt the epoch some worker wrote (or write it); the loss it marks is being repaired below.
    await redis.set(keys.epoch, randomUUID(), 'NX');
    const current = await redis.get(keys.epoch);
    await assertSchedule();
    // The re-asserted schedule sweeps at once: no worker needs to sweep in its place.
    await markSwept();
    const declared = await redeclareScheduledJobs(ctx.orm.em.fork(), ctx.followUps);
    // Send jobs lost with Redis: without waiting the relay's 30 s (a queued one is left as it is).
    const relayed = await ctx.followUps.relayStranded({ notificationGraceS: 0 });
    epoch = current;
    lastRedeclaredAt = Date.now();
    recoverBecause = null;
    const level = reason === 'worker started' || reason === 'periodic' ? 'info' : 'warn';
    log[level]({ reason, declared, relayed }, 'sweep schedule asserted and delayed jobs declared again from PostgreSQL');
  }

  async function sweepHere(reason: string) {
    lastSweptHereAt = Date.now();
    log.warn({ reason }, 'sweeping in this worker instead of the schedule');
    await sweep();
  }

  async function check() {
    let current: string | null;
    let swept: number;
    try {
      [current, swept] = await Promise.all([redis.get(keys.epoch), redis.exists(keys.swept)]);
    } catch (error) {
      if (!unreachable) {
        unreachable = true;
        log.warn({ err: error }, 'Redis unreachable: sweeping in this worker every interval until it is back');
      }
      recoverBecause ??= 'Redis was unreachable';
      if (Date.now() - lastSweptHereAt >= intervalMs) await sweepHere('Redis unreachable');
      return;
    }
    unreachable = false;
    if (current !== epoch) recoverBecause ??= current === null ? 'Redis lost its data' : 'another worker found Redis had lost its data';
    if (recoverBecause || Date.now() - lastRedeclaredAt >= REDECLARE_EVERY_MS) {
      await recover(recoverBecause ?? 'periodic');
      return;
    }
    // No sweep for two intervals: the schedule is gone or stuck. The worker that takes the mark sweeps.
    if (!swept && (await redis.set(keys.swept, 'swept', 'PX', markTtlMs, 'NX')) === 'OK') {
      await assertSchedule();
      await sweepHere('no sweep ran for two intervals');
    }
  }

  /** One check at a time; a slow one (a long sweep) is not stacked up behind. */
  const tick = () => {
    if (stopped) return busy;
    busy ??= check()
      .catch((error) => log.warn({ err: error }, 'schedule check failed; will retry'))
      .finally(() => (busy = null));
    return busy;
  };

  return {
    async scheduledSweep() {
      await markSwept().catch(() => undefined);
      return sweep();
    },
    async start() {
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
      await recover('worker started');
      redis.on('ready', () => {
        recoverBecause ??= 'reconnected to Redis';
        void tick();
      });
      timer = setInterval(tick, CHECK_EVERY_MS);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy;
      redis.disconnect();
    },
  };
}
