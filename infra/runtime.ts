import { createAccessTokens } from '../domain/accounts/access-tokens.ts';
import type { AppDeps } from '../api/context.ts';
import type { Config } from './config.ts';
import { createOrm } from './database.ts';
import { createJobQueues } from './job-queues.ts';
import { createLogger, type Logger } from './logger.ts';
import { createRateLimiters } from './rate-limiter.ts';
import { createRedis } from './redis.ts';

/** The wiring every process shares; entry points add what they mount. */
export async function createRuntime(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<AppDeps> {
  const orm = await createOrm(config.databaseUrl, { poolMax: config.databasePoolMax, logger });
  const redis = createRedis(config.redisUrl, 'commands');
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  return {
    config,
    orm,
    redis,
    logger,
    accessTokens: createAccessTokens(config.jwt),
    ...createRateLimiters(config, redis, logger),
    jobs: createJobQueues(config.redisUrl, config.redisKeyPrefix, { failFast: true }),
    lifecycle: { shuttingDown: false },
  };
}

export async function closeRuntime(deps: AppDeps): Promise<void> {
  await Promise.allSettled([deps.jobs.close(), deps.orm.close(), deps.redis.quit()]);
}
