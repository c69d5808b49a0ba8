import { createServer, type Server } from 'node:http';
import { metricsScrapeAllowed, type Metrics } from '../infra/metrics.ts';

/**
 * A worker process has no API; it serves its own /metrics for Prometheus on WORKER_METRICS_PORT.
 * `refresh` reads the scrape-time gauges (pool, queues, outbox) first.
 */
export async function startMetricsServer(
  metrics: Metrics,
  port: number,
  token: string | null = null,
  refresh: () => Promise<void> = async () => undefined,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (!metricsScrapeAllowed(token, req.headers.authorization)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end();
      return;
    }
    refresh()
      .then(() => metrics.registry.metrics())
      .then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return server;
}
