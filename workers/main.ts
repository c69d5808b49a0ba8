import { loadConfig } from '../infra/config.ts';
import { createOrm } from '../infra/database.ts';
import { createLogger } from '../infra/logger.ts';
import { onShutdown, runMain } from '../infra/process.ts';
import { createWorkerContext } from './context.ts';
import { startMetricsServer } from './metrics-server.ts';
import { startWorkers } from './start-workers.ts';

/** `npm run start:worker`: one worker process; run as many as the load needs. */
await runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { process: 'worker' });
  const orm = await createOrm(config.databaseUrl, { poolMax: config.databasePoolMax, logger });
  const ctx = createWorkerContext(config, logger, orm);
  const workers = await startWorkers(ctx, { lockDurationMs: config.workers.jobLockMs });
  const metricsServer = config.workers.metricsPort ? await startMetricsServer(ctx.metrics, config.workers.metricsPort) : null;
  logger.info({ metricsPort: config.workers.metricsPort || undefined }, 'workers started');
  onShutdown(logger, async () => {
    metricsServer?.close();
    await workers.close();
    await ctx.close();
    await orm.close();
  });
});
