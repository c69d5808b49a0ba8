import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Middleware } from 'koa';
import type { AppState } from '../context.ts';
import { PROBLEM_TYPE_BASE } from './problem.ts';

export interface AdmissionSettings {
  /** Requests served at once; 0: no bound (and no queue). */
  maxInFlight: number;
  /** Requests waiting for a slot; beyond it a request is refused at once. */
  maxQueued: number;
  /** Longest wait for a slot. */
  queueTimeoutMs: number;
  /** Refuse new requests while the event loop lags more than this (p99 over the last 200 ms); 0: off. */
  maxEventLoopDelayMs: number;
}

export interface AdmissionMetrics {
  inFlight: { set(value: number): void };
  shed: { inc(labels: { reason: string }): void };
}

/**
 * Probes and metrics must answer however busy the instance is, or a load balancer would take a
 * busy instance for a dead one (and every instance at once).
 */
const NEVER_SHED = /^\/(health\/(live|ready)|metrics)$/;
/**
 * Event streams are long-lived: they hold no slot. Nor are they refused: EventSource gives up for
 * good on any answer but 200 or 204; their number is capped per address instead.
 */
const STREAM = /^\/v1\/(auctions\/[^/]+\/events|me\/events)$/;

const OVERLOADED = Object.freeze({
  type: `${PROBLEM_TYPE_BASE}overloaded`,
  title: 'Service Unavailable',
  status: 503,
  detail: 'This instance is overloaded; try again shortly.',
  retryAfterS: 1,
});

/**
 * Load shedding, the outermost middleware: at most `maxInFlight` requests are served at once and
 * `maxQueued` wait (each at most `queueTimeoutMs`), and none is taken while the event loop lags
 * (the process is out of CPU: every request already in it would slow down). The rest get 503
 * problem+json with `Retry-After` at once, before any other work (no body read, no log line; the
 * `gavel_http_shed_total` counter counts them), so accepted requests keep their latency and
 * refused ones learn it in milliseconds rather than after their deadline. A slot is held while the
 * handler runs.
 */
export function admission(settings: AdmissionSettings, metrics?: AdmissionMetrics): Middleware<AppState> {
  let inFlight = 0;
  const queue: Array<() => void> = [];
  const lag = settings.maxEventLoopDelayMs > 0 ? eventLoopLag() : null;
  const refuse = (ctx: Parameters<Middleware<AppState>>[0], reason: string) => {
    metrics?.shed.inc({ reason });
    ctx.status = 503;
    ctx.set('Retry-After', '1');
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/problem+json';
    ctx.body = OVERLOADED;
  };
  const release = () => {
    const next = queue.shift();
    // The slot passes straight to the oldest waiter, so the count never dips below the bound.
    if (next) next();
    else metrics?.inFlight.set(--inFlight);
  };
  const waitForSlot = () =>
    new Promise<boolean>((resolve) => {
      const admit = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(admit), 1);
        resolve(false);
      }, settings.queueTimeoutMs);
      queue.push(admit);
    });
  return async (ctx, next) => {
    if (NEVER_SHED.test(ctx.path) || STREAM.test(ctx.path)) return next();
    if (lag && lag.ms() > settings.maxEventLoopDelayMs) return refuse(ctx, 'event-loop-delay');
    if (settings.maxInFlight === 0) return next();
    if (inFlight < settings.maxInFlight) metrics?.inFlight.set(++inFlight);
    else if (queue.length >= settings.maxQueued || settings.queueTimeoutMs === 0) return refuse(ctx, 'queue-full');
    else if (!(await waitForSlot())) return refuse(ctx, 'queue-timeout');
    try {
      await next();
    } finally {
      release();
    }
  };
}

/** The event loop's delay: p99 over the last completed 200 ms. */
function eventLoopLag() {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let last = 0;
  const timer = setInterval(() => {
    last = histogram.percentile(99) / 1e6;
    histogram.reset();
  }, 200);
  timer.unref();
  return { ms: () => last };
}
