import { closeAppDeps, createAppDeps } from '../../api/app-deps.ts';
import { listen, type RunningApi } from '../../api/server.ts';
import type { AppDeps } from '../../api/context.ts';
import { createOrm, type Orm } from '../../infra/database.ts';
import { closeInfrastructure, createInfrastructure } from '../../infra/infrastructure.ts';
import { createLogger } from '../../infra/logger.ts';
import type { TestApi } from './api.ts';
import { holdRedisPrefix } from './redis-keys.ts';

export interface PeerApi {
  baseUrl: string;
  deps: AppDeps;
  api: RunningApi;
  close(): Promise<void>;
}

/**
 * A second API process in miniature: the same database, Redis and key prefix as `app`, but its own
 * ORM, Redis connections, event hub and listener, as another instance behind a load balancer.
 */
export async function startPeerApi(app: TestApi): Promise<PeerApi> {
  const config = app.deps.config;
  const orm: Orm = await createOrm(app.db.url, { poolMax: 10 });
  const prefix = holdRedisPrefix(config);
  let deps: AppDeps | undefined;
  try {
    deps = createAppDeps(await createInfrastructure(config, { logger: createLogger(config.logLevel), orm }));
    const api = await listen(deps, 0);
    const running = deps;
    return {
      baseUrl: `http://127.0.0.1:${api.port}`,
      deps: running,
      api,
      async close() {
        await api.close(1000);
        await closeAppDeps(running);
        await closeInfrastructure(running, { keepOrm: true });
        await orm.close();
        await prefix.release();
      },
    };
  } catch (error) {
    if (deps) {
      await closeAppDeps(deps);
      await closeInfrastructure(deps, { keepOrm: true });
    }
    await orm.close();
    await prefix.release();
    throw error;
  }
}
