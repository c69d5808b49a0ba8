import type { Middleware } from 'koa';
import type { Metrics } from '../../infra/metrics.ts';
import type { AppState } from '../context.ts';

/** Latency by route template (never the raw path: ids would explode the label set). */
export function httpMetrics(metrics: Metrics): Middleware<AppState> {
  return async (ctx, next) => {
    const stop = metrics.httpDuration.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      stop({ method: ctx.method, route, status: String(ctx.status) });
    }
  };
}
