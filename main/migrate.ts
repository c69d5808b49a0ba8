import { loadConfig } from '../infra/config.ts';
import { createOrm, ensureDatabase, migrate } from '../infra/database.ts';
import { createLogger } from '../infra/logger.ts';
import { runMain } from '../infra/process.ts';

/** `npm run migrate`: creates the database if missing and applies pending migrations. */
await runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (await ensureDatabase(config.databaseUrl)) logger.info('database created');
  const orm = await createOrm(config.databaseUrl, { logger });
  try {
    const applied = await migrate(orm, config.databaseUrl);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
  } finally {
    await orm.close();
  }
});
