import { listen } from '../api/server.ts';
import { createWorkerContext } from '../workers/context.ts';
import { startWorkers } from '../workers/start-workers.ts';
import { loadConfig } from './config.ts';
import { createOrm, ensureDatabase, migrate } from './database.ts';
import { createLogger } from './logger.ts';
import { onShutdown, runMain } from './process.ts';
import { closeRuntime, createRuntime } from './runtime.ts';

/**
 * `npm start`: the whole service on one machine, API and workers in one process. Creates the
 * database if missing and migrates first.
 */
await runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (await ensureDatabase(config.databaseUrl)) logger.info('database created');
  const migrator = await createOrm(config.databaseUrl, { logger });
  try {
    const applied = await migrate(migrator, config.databaseUrl);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  } finally {
    await migrator.close();
  }

  const deps = await createRuntime(config, logger);
  // One process, one registry: /metrics shows the API's and the workers' metrics together.
  const workerContext = createWorkerContext(config, logger.child({ process: 'worker' }), deps.orm, deps.metrics);
  const workers = await startWorkers(workerContext, { lockDurationMs: config.workers.jobLockMs });
  const api = await listen(deps);
  logger.info({ port: api.port }, 'api and workers running');
  onShutdown(logger, async () => {
    await api.close();
    await workers.close();
    await workerContext.close();
    await closeRuntime(deps);
  });
});
