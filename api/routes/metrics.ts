import { z } from 'zod';
import { unauthorized } from '../../domain/errors.ts';
import { metricsScrapeAllowed } from '../../infra/metrics.ts';
import { refreshScrapeGauges } from '../../infra/scrape-gauges.ts';
import type { AppDeps } from '../context.ts';
import { defineRoute, type Route } from '../route.ts';

/** Gauges that are read at scrape time rather than kept up to date on every change. */
async function refreshGauges(deps: AppDeps): Promise<void> {
  deps.metrics.sseStreams.set(deps.streams.size);
  await refreshScrapeGauges(deps);
}

export function metricsRoutes(deps: AppDeps): Route[] {
  return [
    defineRoute(
      {
        method: 'get', path: '/metrics', operationId: 'metrics', tags: ['Operations'], auth: 'none',
        summary: 'Prometheus metrics of this process',
        description:
          'HTTP latency by route, bids by result and reason, open SSE streams, queue depths and oldest waiting job, job wait and durations, ' +
          'database pool use and waiters, outbox backlog, close lateness. ' +
          'When the server has a `METRICS_TOKEN` (always in production), send it as `Authorization: Bearer <token>`; otherwise 401.',
        responses: { 200: { description: 'Prometheus text exposition format', schema: z.string(), contentType: 'text/plain; version=0.0.4' } },
        problems: [401],
      },
      async ({ ctx }) => {
        if (!metricsScrapeAllowed(deps.config.metricsToken, ctx.get('Authorization') || undefined)) {
          throw unauthorized('metrics-token-required', 'Send the metrics token as "Authorization: Bearer <token>".');
        }
        await refreshGauges(deps);
        return { status: 200, headers: { 'Content-Type': deps.metrics.registry.contentType }, body: await deps.metrics.registry.metrics() };
      },
    ),
  ];
}
