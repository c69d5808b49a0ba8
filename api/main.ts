import { loadConfig } from '../infra/config.ts';
import { onShutdown, runMain } from '../infra/process.ts';
import { closeRuntime, createRuntime } from '../infra/runtime.ts';
import { listen } from './server.ts';

/** `npm run start:api`: one API process. Migrations are applied by `npm run migrate`, not here. */
await runMain(async () => {
  const config = loadConfig();
  const deps = await createRuntime(config);
  const api = await listen(deps);
  deps.logger.info({ port: api.port }, 'api listening');
  onShutdown(deps.logger, async () => {
    await api.close();
    await closeRuntime(deps);
  });
});
