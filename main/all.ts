import { closeAppDeps, createAppDeps } from '../api/app-deps.ts';
import { listen } from '../api/server.ts';
import { loadConfig } from '../infra/config.ts';
import { prepareDatabase } from '../infra/database.ts';
import { closeInfrastructure, createInfrastructure } from '../infra/infrastructure.ts';
import { createLogger } from '../infra/logger.ts';
import { onShutdown, runMain } from '../infra/process.ts';
import { startWorkers } from '../workers/start-workers.ts';

/**
 * `npm start`: the whole service on one machine, API and workers in one process on one
 * infrastructure (so /metrics shows both). Creates the database if missing and migrates first.
 */
await runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const { applied } = await prepareDatabase(config.databaseUrl, logger);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const infra = await createInfrastructure(config, { logger, process: 'all' });
  const workers = await startWorkers({ ...infra, logger: logger.child({ process: 'worker' }) }, { lockDurationMs: config.workers.jobLockMs });
  const deps = createAppDeps(infra);
  const api = await listen(deps);
  logger.info({ port: api.port }, 'api and workers running');
  onShutdown(logger, async () => {
    await api.close();
    await workers.close();
    await closeAppDeps(deps);
    await closeInfrastructure(infra);
  });
});
