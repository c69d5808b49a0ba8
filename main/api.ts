import { closeAppDeps, createAppDeps } from '../api/app-deps.ts';
import { listen } from '../api/server.ts';
import { loadConfig } from '../infra/config.ts';
import { closeInfrastructure, createInfrastructure } from '../infra/infrastructure.ts';
import { createLogger } from '../infra/logger.ts';
import { onShutdown, runMain } from '../infra/process.ts';

/** `npm run start:api`: one API process. Migrations are applied by `npm run migrate`, not here. */
await runMain(async () => {
  const config = loadConfig();
  const infra = await createInfrastructure(config, { logger: createLogger(config.logLevel, { process: 'api' }), process: 'api' });
  const deps = createAppDeps(infra);
  const api = await listen(deps);
  deps.logger.info({ port: api.port }, 'api listening');
  onShutdown(deps.logger, async () => {
    await api.close();
    await closeAppDeps(deps);
    await closeInfrastructure(infra);
  });
});
