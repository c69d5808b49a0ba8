import type { AppDeps } from '../api/context.ts';
import { createAuctionEventHub } from '../api/sse/auction-event-hub.ts';
import { OpenStreams } from '../api/sse/open-streams.ts';
import { createStreamLimiter } from '../api/sse/stream-limiter.ts';
import { createAccessTokens } from '../domain/accounts/access-tokens.ts';
import { createAuctionEventBus } from './auction-event-bus.ts';
import type { Config } from './config.ts';
import { createOrm, type Orm } from './database.ts';
import { createJobQueues } from './job-queues.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createObjectStore } from './object-store.ts';
import { createRateLimiters } from './rate-limiter.ts';
import { createRedis } from './redis.ts';

/**
 * The wiring of an API process: one place, used by the entry points and by the tests (which pass
 * the ORM of their own database).
 */
export async function createRuntime(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
  options: { orm?: Orm; metrics?: Metrics } = {},
): Promise<AppDeps> {
  const orm = options.orm ?? (await createOrm(config.databaseUrl, { poolMax: config.databasePoolMax, logger }));
  const redis = createRedis(config.redisUrl, 'commands');
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  // Pub/sub needs a connection of its own: a subscribed connection can run no other command.
  const subscriber = createRedis(config.redisUrl, 'subscriber');
  subscriber.on('error', (error) => logger.warn({ err: error }, 'redis subscriber connection error'));
  return {
    config,
    orm,
    redis,
    logger,
    accessTokens: createAccessTokens(config.jwt),
    ...createRateLimiters(config, redis, logger),
    jobs: createJobQueues(config.redisUrl, config.redisKeyPrefix, { failFast: true, onError: (error) => logger.warn({ err: error }, 'job queue connection error') }),
    events: createAuctionEventBus(redis, config.redisKeyPrefix),
    eventHub: createAuctionEventHub(subscriber, config.redisKeyPrefix, logger),
    streams: new OpenStreams(),
    streamLimiter: createStreamLimiter(redis, config.redisKeyPrefix, config.sse.maxStreamsPerAddress, logger),
    metrics: options.metrics ?? createMetrics({ process: 'api' }),
    objects: createObjectStore(config),
    lifecycle: { shuttingDown: false },
  };
}

export async function closeRuntime(deps: AppDeps, options: { keepOrm?: boolean } = {}): Promise<void> {
  deps.streams.endAll('server shutting down');
  await Promise.allSettled([deps.jobs.close(), deps.eventHub.close(), options.keepOrm ? undefined : deps.orm.close()]);
  deps.redis.disconnect();
}
