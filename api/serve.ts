import type { Config } from '../infra/config.ts';
import { closeInfrastructure, createInfrastructure } from '../infra/infrastructure.ts';
import type { Logger } from '../infra/logger.ts';
import { onShutdown } from '../infra/process.ts';
import { closeAppDeps, createAppDeps } from './app-deps.ts';
import { listen } from './server.ts';

/**
 * One API process on infrastructure of its own, shut down gracefully on `signals`: what
 * `npm run start:api` runs, and each API process `npm start` forks.
 */
export async function serveApi(config: Config, logger: Logger, signals?: NodeJS.Signals[]): Promise<void> {
  const infra = await createInfrastructure(config, { logger, process: 'api' });
  const deps = createAppDeps(infra);
  const api = await listen(deps);
  deps.logger.info({ port: api.port }, 'api listening');
  onShutdown(
    deps.logger,
    async () => {
      await api.close();
      await closeAppDeps(deps);
      await closeInfrastructure(infra);
    },
    undefined,
    signals,
  );
}
