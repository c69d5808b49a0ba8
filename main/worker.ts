import type { Server } from 'node:http';
import { loadConfig } from '../infra/config.ts';
import { closeInfrastructure, createInfrastructure } from '../infra/infrastructure.ts';
import { createLogger } from '../infra/logger.ts';
import { onShutdown, runMain } from '../infra/process.ts';
import { refreshScrapeGauges } from '../infra/scrape-gauges.ts';
import { startMetricsServer } from '../workers/metrics-server.ts';
import { startWorkers, type RunningWorkers } from '../workers/start-workers.ts';

/** `npm run start:worker`: one worker process; run as many as the load needs. */
await runMain(async () => {
  const config = loadConfig();
  const infra = await createInfrastructure(config, { logger: createLogger(config.logLevel, { process: 'worker' }), process: 'worker' });
  let starting: Promise<RunningWorkers> | undefined;
  let metricsServer: Server | null = null;
  // Registered before anything starts, so a SIGTERM during start-up still shuts down cleanly: the
  // queues take jobs before start-up is over, so it waits for start-up, then closes them as usual.
  onShutdown(infra.logger, async () => {
    metricsServer?.close();
    const workers = await starting?.catch(() => undefined);
    await workers?.close();
    await closeInfrastructure(infra);
  });
  starting = startWorkers(infra, { lockDurationMs: config.workers.jobLockMs });
  await starting;
  metricsServer = config.workers.metricsPort ? await startMetricsServer(infra.metrics, config.workers.metricsPort, config.metricsToken, () => refreshScrapeGauges(infra)) : null;
  infra.logger.info({ metricsPort: config.workers.metricsPort || undefined }, 'workers started');
});
