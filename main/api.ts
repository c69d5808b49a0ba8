import { serveApi } from '../api/serve.ts';
import { loadConfig } from '../infra/config.ts';
import { createLogger } from '../infra/logger.ts';
import { runMain } from '../infra/process.ts';

/** `npm run start:api`: one API process. Migrations are applied by `npm run migrate`, not here. */
await runMain(async () => {
  const config = loadConfig();
  await serveApi(config, createLogger(config.logLevel, { process: 'api' }));
});
