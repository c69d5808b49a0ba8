import { randomUUID } from 'node:crypto';
import { redeclareScheduledJobs } from '../domain/maintenance/scheduled-jobs.ts';
import { isCluster } from '../infra/redis.ts';
import type { WorkerContext } from './context.ts';

/** How often each worker looks at Redis for a loss. */
const CHECK_EVERY_MS = 1_000;
/**
 * Every worker's jobs are declared again this often (one worker per period does it) even when no
 * loss was seen, for a job lost on its own (a key evicted against advice).
 */
const RECONCILE_EVERY_MS = 5 * 60_000;

export interface ScheduleKeeper {
  /** Resolves once this worker has asserted the schedule and declared the jobs again (or stopped). */
  readonly firstPass: Promise<void>;
  /** For the sweep to call as it starts: the mark that tells every worker the schedule is alive. */
  sweepStarted(): Promise<void>;
  /** Stops checking and waits for a pass in progress (which ends between batches). */
  stop(): Promise<void>;
}

/**
 * Redis holds the sweep's schedule and every delayed job; PostgreSQL is the truth of what must
 * close and when. Redis may lose all of it (a restart without persistence, a failover to an empty
 * replica, a flush) while the workers keep running, so every worker watches for itself, once a
 * second, on its own timer:
 * - when it starts, when its connection to Redis comes back (a snapshot restored at restart may be
 *   older than the jobs), and when the epoch key (written once, never expiring: only a loss
 *   removes it) is gone, it asserts the sweep schedule, declares the delayed jobs again from
 *   PostgreSQL (`redeclareScheduledJobs`) and re-queues pending notifications at once. One worker
 *   in each `RECONCILE_EVERY_MS` does the same anyway.
 * - every sweep leaves a mark for two intervals and 5 s. Gone (the schedule lost on its own, or
 *   stuck): the one worker that takes the mark asserts the schedule again.
 * The sweep the schedule runs at once then closes whatever came due meanwhile.
 */
export function startScheduleKeeper(ctx: WorkerContext): ScheduleKeeper {
  const intervalMs = ctx.config.workers.sweepIntervalS * 1000;
  const markTtlMs = 2 * intervalMs + 5_000;
  // On a cluster the marks share the queues' hash tag (see bullPrefix): a shard that loses the
  // queues loses the epoch with them, so the loss is seen.
  const prefix = isCluster(ctx.config) ? `{${ctx.config.redisKeyPrefix}}:workers` : `${ctx.config.redisKeyPrefix}:workers`;
  const keys = { epoch: `${prefix}:epoch`, swept: `${prefix}:swept`, reconciled: `${prefix}:reconciled` };
  const { redis } = ctx;
  const log = ctx.logger.child({ component: 'schedule-keeper' });

  /** The epoch this worker last saw; undefined until its first look. */
  let epoch: string | null | undefined;
  /** Why the schedule and the jobs must be asserted again; cleared only once that succeeded. */
  let reason: string | null = 'worker started';
  let assertedAt = 0;
  let stopped = false;
  let busy: Promise<void> | null = null;
  const first = Promise.withResolvers<void>();

  const assertSchedule = async () => {
    // Upserting by a fixed id makes every worker process agree on one schedule, not one each.
    await ctx.jobs.queues.maintenance.upsertJobScheduler('sweep', { every: intervalMs }, { name: 'sweep', data: {} });
    assertedAt = Date.now();
  };

  async function reconcile(why: string) {
    await assertSchedule();
    const declared = await redeclareScheduledJobs(ctx.orm.em.fork(), ctx.followUps, { stop: () => stopped });
    if (stopped) return; // cut short: owed again at the next start
    // Send jobs lost with Redis: at once, not after the relay's 30 s (a job still queued is left as it is).
    const relayed = await ctx.followUps.relayStranded({ notificationGraceS: 0 });
    // No periodic pass for a while: this one just did its work.
    await redis.set(keys.reconciled, '1', 'PX', RECONCILE_EVERY_MS);
    reason = null;
    first.resolve();
    const level = why === 'worker started' || why === 'periodic' ? 'info' : 'warn';
    log[level]({ reason: why, declared, relayed }, 'sweep schedule asserted and delayed jobs declared again from PostgreSQL');
  }

  /** The epoch now in Redis, written by this worker if none is (a first start, or a loss). */
  async function currentEpoch(): Promise<string | null> {
    const seen = await redis.get(keys.epoch);
    if (seen !== null) return seen;
    const fresh = randomUUID();
    if ((await redis.set(keys.epoch, fresh, 'NX')) !== 'OK') return redis.get(keys.epoch);
    if (epoch !== undefined) reason ??= 'Redis lost its data';
    return fresh;
  }

  async function check() {
    // Without Redis nothing can be asserted; whatever is owed waits for it (`reason` stays).
    if (redis.status !== 'ready' || !ctx.jobs.connected) return;
    const seen = await currentEpoch();
    // Another worker saw the loss first and wrote the new epoch: it is declaring the jobs again.
    if (epoch !== undefined && seen !== epoch && !reason) log.info('Redis lost its data; another worker is declaring the jobs again');
    epoch = seen;
    if (!reason && (await redis.set(keys.reconciled, '1', 'PX', RECONCILE_EVERY_MS, 'NX')) === 'OK') reason = 'periodic';
    if (reason) return reconcile(reason);
    // No sweep has started for two intervals and 5 s: the schedule was lost on its own, or is stuck.
    if (Date.now() - assertedAt > markTtlMs && (await redis.set(keys.swept, 'asserted', 'PX', markTtlMs, 'NX')) === 'OK') {
      log.warn({ markTtlMs }, 'no sweep started for two intervals: sweep schedule asserted again');
      await assertSchedule();
    }
  }

  /** One pass at a time; a slow one is not stacked up behind. */
  const tick = () => {
    if (stopped || busy) return;
    busy = check()
      .catch((error: unknown) => log.warn({ err: error }, 'schedule check failed; will retry'))
      .finally(() => (busy = null));
  };
  // A reconnect may follow a restart that lost data, or restored an older snapshot.
  const onReady = () => {
    reason ??= 'reconnected to Redis';
    tick();
  };
  redis.on('ready', onReady);
  const timer = setInterval(tick, CHECK_EVERY_MS);
  tick();

  return {
    firstPass: first.promise,
    async sweepStarted() {
      await redis.set(keys.swept, 'swept', 'PX', markTtlMs).catch(() => undefined);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      redis.off('ready', onReady);
      await busy;
      first.resolve();
    },
  };
}
