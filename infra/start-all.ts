import { listen } from '../api/server.ts';
import { loadConfig } from './config.ts';
import { createOrm, ensureDatabase, migrate } from './database.ts';
import { createLogger } from './logger.ts';
import { onShutdown, runMain } from './process.ts';
import { closeRuntime, createRuntime } from './runtime.ts';

/** `npm start`: everything on one machine. Creates the database if missing and migrates first. */
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
  const api = await listen(deps);
  logger.info({ port: api.port }, 'api listening');
  onShutdown(logger, async () => {
    await api.close();
    await closeRuntime(deps);
  });
});
