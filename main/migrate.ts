import { loadConfig } from '../infra/config.ts';
import { prepareDatabase } from '../infra/database.ts';
import { createLogger } from '../infra/logger.ts';
import { runMain } from '../infra/process.ts';

/** `npm run migrate`: creates the database if missing and applies pending migrations. */
await runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const { applied } = await prepareDatabase(config.databaseUrl, logger);
  logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
});
