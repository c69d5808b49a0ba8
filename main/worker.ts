import type { Server } from 'node:http';
import { loadConfig } from '../infra/config.ts';
import { closeInfrastructure, createInfrastructure } from '../infra/infrastructure.ts';
import { createLogger } from '../infra/logger.ts';
import { onShutdown, runMain } from '../infra/process.ts';
import { startMetricsServer } from '../workers/metrics-server.ts';
import { startWorkers, type RunningWorkers } from '../workers/start-workers.ts';

/** `npm run start:worker`: one worker process; run as many as the load needs. */
await runMain(async () => {
  const config = loadConfig();
  const infra = await createInfrastructure(config, { logger: createLogger(config.logLevel, { process: 'worker' }), process: 'worker' });
  let workers: RunningWorkers | undefined;
  let metricsServer: Server | null = null;
  // Registered before anything starts, so a SIGTERM during start-up still shuts down cleanly.
  onShutdown(infra.logger, async () => {
    metricsServer?.close();
    await workers?.close();
    await closeInfrastructure(infra);
  });
  workers = await startWorkers(infra, { lockDurationMs: config.workers.jobLockMs });
  metricsServer = config.workers.metricsPort ? await startMetricsServer(infra.metrics, config.workers.metricsPort, config.metricsToken) : null;
  infra.logger.info({ metricsPort: config.workers.metricsPort || undefined }, 'workers started');
});
