import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Whether an Authorization header carries the metrics token (`METRICS_TOKEN`); with no token set,
 * anyone may scrape. Compared in constant time (over digests, so lengths do not show either).
 */
export function metricsScrapeAllowed(token: string | null, authorization: string | undefined): boolean {
  if (token === null) return true;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${token}`));
}

/**
 * Prometheus metrics of one process. A registry per process (not prom-client's global one) so
 * that tests running several apps in one process keep their counts apart.
 */
export function createMetrics(labels: Record<string, string> = {}) {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'gavel_http_request_duration_seconds',
      help: 'HTTP request latency by route template',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    httpInFlight: new Gauge({ name: 'gavel_http_in_flight', help: 'Requests being served under the admission bound', registers: [registry] }),
    httpShed: new Counter({
      name: 'gavel_http_shed_total',
      help: 'Requests refused with 503 by load shedding, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    bids: new Counter({
      name: 'gavel_bids_total',
      help: 'Bid requests by result; rejected ones by problem code',
      labelNames: ['result', 'reason'] as const,
      registers: [registry],
    }),
    sseStreams: new Gauge({ name: 'gavel_sse_streams', help: 'Open auction event streams in this process', registers: [registry] }),
    sseLogReads: new Counter({
      name: 'gavel_sse_log_reads_total',
      help: 'Event-log reads of streams being opened or caught up: served by a query (database) or by an answer another stream already had (shared)',
      labelNames: ['served'] as const,
      registers: [registry],
    }),
    queueJobs: new Gauge({ name: 'gavel_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'] as const, registers: [registry] }),
    jobDuration: new Histogram({
      name: 'gavel_job_duration_seconds',
      help: 'Job processing time by queue, job and outcome',
      labelNames: ['queue', 'name', 'status'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    queueOldestWaiting: new Gauge({
      name: 'gavel_queue_oldest_waiting_age_seconds',
      help: 'How long the oldest waiting job of each queue has been due (0 when none waits)',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    jobWait: new Histogram({
      name: 'gavel_job_wait_seconds',
      help: 'From when a job was due to when a worker started it (first attempts only)',
      labelNames: ['queue'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    dbPoolConnections: new Gauge({ name: 'gavel_db_pool_connections', help: 'Open connections of the request pool', registers: [registry] }),
    dbPoolIdle: new Gauge({ name: 'gavel_db_pool_idle_connections', help: 'Open connections of the request pool not in use', registers: [registry] }),
    dbPoolWaiting: new Gauge({ name: 'gavel_db_pool_waiting', help: 'Queries waiting for a connection of the request pool', registers: [registry] }),
    dbPoolMax: new Gauge({ name: 'gavel_db_pool_max_connections', help: 'Size limit of the request pool (DATABASE_POOL_MAX)', registers: [registry] }),
    outboxBacklog: new Gauge({
      name: 'gavel_outbox_backlog',
      help: 'Outbox rows not yet carried out: unpublished events, jobs not yet enqueued',
      labelNames: ['outbox'] as const,
      registers: [registry],
    }),
    outboxOldestAge: new Gauge({
      name: 'gavel_outbox_oldest_age_seconds',
      help: 'Age of the oldest outbox row not yet carried out (0 when none)',
      labelNames: ['outbox'] as const,
      registers: [registry],
    }),
    closeLateness: new Histogram({
      name: 'gavel_auction_close_lateness_seconds',
      help: 'Commit of the close minus the auction end time',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
