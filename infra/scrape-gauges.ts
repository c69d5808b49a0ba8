import type { Queue } from 'bullmq';
import type { Orm } from './database.ts';
import type { Metrics } from './metrics.ts';

const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed', 'completed'] as const;

/** One unavailable dependency must not hold a scrape: its gauges keep their last known values. */
const SCRAPE_BUDGET_MS = 1000;

const withinBudget = <T>(work: Promise<T>): Promise<T | null> =>
  Promise.race([work, new Promise<null>((resolve) => setTimeout(() => resolve(null), SCRAPE_BUDGET_MS).unref())]).catch(() => null);

export interface ScrapeSources {
  metrics: Metrics;
  orm: Orm;
  jobs: { queues: Record<string, Queue> };
}

/**
 * Gauges read at scrape time rather than kept up to date on every change: the request pool,
 * queue depths and the age of each queue's oldest waiting job, and the outbox backlog. The API's
 * /metrics and a worker's metrics listener both call it.
 */
export async function refreshScrapeGauges(sources: ScrapeSources): Promise<void> {
  // The pool first: the outbox count below takes a connection of it, and would count as a waiter.
  await refreshPool(sources);
  await Promise.all([refreshQueues(sources), refreshOutbox(sources)]);
}

async function refreshPool({ metrics, orm }: ScrapeSources): Promise<void> {
  const pool = await withinBudget(orm.em.getConnection().getNativeClient());
  if (!pool) return;
  metrics.dbPoolConnections.set(pool.totalCount);
  metrics.dbPoolIdle.set(pool.idleCount);
  metrics.dbPoolWaiting.set(pool.waitingCount);
  if (pool.options.max !== undefined) metrics.dbPoolMax.set(pool.options.max);
}

async function refreshQueues({ metrics, jobs }: ScrapeSources): Promise<void> {
  await Promise.all(
    Object.entries(jobs.queues).map(async ([name, queue]) => {
      const [counts, oldest] = await Promise.all([
        withinBudget(queue.getJobCounts(...QUEUE_STATES)),
        // Ascending: the waiting list's oldest job first.
        withinBudget(queue.getJobs(['wait'], 0, 0, true)),
      ]);
      if (counts) for (const state of QUEUE_STATES) metrics.queueJobs.set({ queue: name, state }, counts[state] ?? 0);
      if (oldest) {
        const job = oldest[0];
        // A delayed job waits from its due time, not from when it was added (BullMQ zeroes `delay` once due).
        const due = job ? job.timestamp + (job.opts.delay ?? 0) : Date.now();
        metrics.queueOldestWaiting.set({ queue: name }, Math.max(0, Date.now() - due) / 1000);
      }
    }),
  );
}

interface BacklogRow {
  outbox: string;
  rows: number;
  oldest_s: number | string | null;
}

// Each count reads a partial index of the unpublished rows (job_outbox rows are deleted once enqueued).
const BACKLOG_SQL = `
  select 'auction_events' as outbox, count(*)::int as rows, extract(epoch from now() - min(created_at)) as oldest_s
    from auction_events where published_at is null
  union all
  select 'user_events', count(*)::int, extract(epoch from now() - min(created_at)) from user_events where published_at is null
  union all
  select 'job_outbox', count(*)::int, extract(epoch from now() - min(created_at)) from job_outbox`;

async function refreshOutbox({ metrics, orm }: ScrapeSources): Promise<void> {
  const rows = await withinBudget(orm.em.fork().execute<BacklogRow[]>(BACKLOG_SQL));
  if (!rows) return;
  for (const row of rows) {
    metrics.outboxBacklog.set({ outbox: row.outbox }, row.rows);
    metrics.outboxOldestAge.set({ outbox: row.outbox }, Math.max(0, Number(row.oldest_s ?? 0)));
  }
}
