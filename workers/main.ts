import type { Server } from 'node:http';
import { loadConfig } from '../infra/config.ts';
import { createOrm } from '../infra/database.ts';
import { createLogger } from '../infra/logger.ts';
import { onShutdown, runMain } from '../infra/process.ts';
import { createWorkerContext } from './context.ts';
import { startMetricsServer } from './metrics-server.ts';
import { startWorkers, type RunningWorkers } from './start-workers.ts';

/** `npm run start:worker`: one worker process; run as many as the load needs. */
await runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { process: 'worker' });
  const orm = await createOrm(config.databaseUrl, { poolMax: config.databasePoolMax, logger });
  const ctx = createWorkerContext(config, logger, orm);
  let workers: RunningWorkers | undefined;
  let metricsServer: Server | null = null;
  // Registered before anything starts, so a SIGTERM during start-up still shuts down cleanly.
  onShutdown(logger, async () => {
    metricsServer?.close();
    await workers?.close();
    await ctx.close();
    await orm.close();
  });
  workers = await startWorkers(ctx, { lockDurationMs: config.workers.jobLockMs });
  metricsServer = config.workers.metricsPort ? await startMetricsServer(ctx.metrics, config.workers.metricsPort) : null;
  logger.info({ metricsPort: config.workers.metricsPort || undefined }, 'workers started');
});
