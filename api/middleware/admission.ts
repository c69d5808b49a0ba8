import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Middleware } from 'koa';
import type { AppState } from '../context.ts';
import { ServiceUnavailable } from './problem.ts';

export interface AdmissionSettings {
  /** Requests served at once; 0: no bound (and no queue). */
  maxInFlight: number;
  /** Requests waiting for a slot; beyond it a request is refused at once. */
  maxQueued: number;
  /** Longest wait for a slot. */
  queueTimeoutMs: number;
  /** Refuse new requests while the event loop lags more than this (p99 over the last half second); 0: off. */
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
 * Load shedding: at most `maxInFlight` requests are served at once and `maxQueued` wait (each at
 * most `queueTimeoutMs`); the rest get 503 with `Retry-After` at once, so accepted requests keep
 * their latency and refused ones learn it in milliseconds rather than after their deadline.
 * A slot is held while the handler runs: an event stream holds one only while it opens (the
 * route returns once the stream is set up), never for its lifetime.
 */
export function admission(settings: AdmissionSettings, metrics?: AdmissionMetrics): Middleware<AppState> {
  let inFlight = 0;
  const queue: Array<() => void> = [];
  const lag = settings.maxEventLoopDelayMs > 0 ? eventLoopLag() : null;
  const refuse = (reason: string, message: string) => {
    metrics?.shed.inc({ reason });
    return new ServiceUnavailable('overloaded', message, 1);
  };
  const release = () => {
    const next = queue.shift();
    // The slot passes straight to the oldest waiter, so the count never dips below the bound.
    if (next) next();
    else metrics?.inFlight.set(--inFlight);
  };
  return async (ctx, next) => {
    if (settings.maxInFlight === 0 || NEVER_SHED.test(ctx.path)) return next();
    if (lag && lag.ms() > settings.maxEventLoopDelayMs) throw refuse('event-loop-delay', 'This instance is overloaded; try again shortly.');
    if (inFlight < settings.maxInFlight) metrics?.inFlight.set(++inFlight);
    else {
      if (queue.length >= settings.maxQueued || settings.queueTimeoutMs === 0) throw refuse('queue-full', 'This instance is overloaded; try again shortly.');
      await new Promise<void>((resolve, reject) => {
        const admit = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          queue.splice(queue.indexOf(admit), 1);
          reject(refuse('queue-timeout', 'This instance is overloaded; try again shortly.'));
        }, settings.queueTimeoutMs);
        queue.push(admit);
      });
    }
    try {
      await next();
    } finally {
      release();
    }
  };
}

/** The event loop's delay, p99 over the last completed half second. */
function eventLoopLag() {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let last = 0;
  const timer = setInterval(() => {
    last = histogram.percentile(99) / 1e6;
    histogram.reset();
  }, 500);
  timer.unref();
  return { ms: () => last };
}
