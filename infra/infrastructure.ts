import { createAccessTokens, type AccessTokens } from '../domain/accounts/access-tokens.ts';
import type { LoginThrottle } from '../domain/accounts/login-throttle.ts';
import type { PhoneVerificationDeps } from '../domain/accounts/phone-verification.ts';
import type { RateLimiter } from '../domain/auctions/rate-limiter.ts';
import type { SmsSender } from '../domain/notifications/sms-sender.ts';
import type { ImageProcessor } from '../domain/photos/image-processor.ts';
import type { ObjectStore } from '../domain/photos/object-store.ts';
import { createEventBus, type EventBus } from './event-bus.ts';
import type { Config } from './config.ts';
import { createOrm, type Orm } from './database.ts';
import { createDatabaseProbe, type DatabaseProbe } from './database-probe.ts';
import { createDependencyStatus, type DependencyStatus } from './dependency-failures.ts';
import { createFollowUpDispatcher, type FollowUpCarrier } from './follow-up-dispatcher.ts';
import { createJobQueues, type JobQueues } from './job-queues.ts';
import { createLogSmsSender } from './log-sms-sender.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createObjectStore } from './object-store.ts';
import { createRateLimiters } from './rate-limiter.ts';
import { createRedis, type Redis } from './redis.ts';
import { createSharpImageProcessor } from './sharp-image-processor.ts';
import { createSnsSmsSender } from './sns-sms-sender.ts';
import { createVerificationSendThrottle, deriveKey } from './verification-throttle.ts';

/**
 * Every adapter a gavel process uses, built in one place from the configuration. The API and the
 * workers are assembled from the same infrastructure; only what they mount on it differs.
 */
export interface Infrastructure {
  config: Config;
  logger: Logger;
  orm: Orm;
  /**
   * The reads that may lag behind the primary (search, bid history, public profiles): the replica
   * of `DATABASE_READ_URL`, else the same ORM as `orm`. Nothing that decides or writes uses it.
   */
  readOrm: Orm;
  /** Commands (rate limits, stream caps, publishing); fails fast so an outage cannot hang a request. */
  redis: Redis;
  /** The producer side of every queue. */
  jobs: JobQueues;
  events: EventBus;
  /** Carries out what use cases declare must follow their commit, and relays what was left behind. */
  followUps: FollowUpCarrier;
  metrics: Metrics;
  /** PostgreSQL with a connection of its own, for readiness: never queued behind the request pool. */
  databaseProbe: DatabaseProbe;
  /** Whether PostgreSQL and Redis are reachable: an outage is logged once, at its start and its end. */
  dependencies: { database: DependencyStatus; redis: DependencyStatus };
  objects: ObjectStore;
  images: ImageProcessor;
  sms: SmsSender;
  accessTokens: AccessTokens;
  bidRateLimiter: RateLimiter;
  messageRateLimiter: RateLimiter;
  uploadRateLimiter: RateLimiter;
  loginThrottle: LoginThrottle;
  signupThrottle: RateLimiter;
  /** Phone verification by SMS code: its sender is `sms`, the one SMS path. */
  phoneVerification: PhoneVerificationDeps;
}

export interface InfrastructureOptions {
  /** Names the process in metrics (`api`, `worker`, `all`). */
  process?: string;
  logger?: Logger;
  /** Tests pass the ORM of their own database (and keep it when the infrastructure closes). */
  orm?: Orm;
  /** `npm start` shares one registry between the API and the workers of its single process. */
  metrics?: Metrics;
}

export async function createInfrastructure(config: Config, options: InfrastructureOptions = {}): Promise<Infrastructure> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const orm = options.orm ?? (await createOrm(config.databaseUrl, { poolMax: config.databasePoolMax, acquireTimeoutMs: config.databaseAcquireTimeoutMs, logger }));
  const readOrm = config.databaseReadUrl
    ? await createOrm(config.databaseReadUrl, { poolMax: config.databasePoolMax, acquireTimeoutMs: config.databaseAcquireTimeoutMs, logger })
    : orm;
  const databaseProbe = createDatabaseProbe(config.databaseUrl, config.readinessTimeoutMs);
  const dependencies = {
    database: createDependencyStatus('database', logger, { check: () => databaseProbe.check(), everyMs: 1000 }),
    redis: createDependencyStatus('redis', logger),
  };
  // Commands issued in the same turn (a bid's rate limit, its publishes) share one write to Redis.
  const redis = createRedis(config, 'commands', { enableAutoPipelining: true });
  // Every reconnect attempt errors; the outage is logged once, and its end when the connection is ready again.
  redis.on('error', (error) => dependencies.redis.failed(error));
  redis.on('ready', () => dependencies.redis.recovered());
  // Fail fast: a Redis outage delays a follow-up (its outbox row waits for the relay), never a request.
  const jobs = createJobQueues(config, config.redisKeyPrefix, { failFast: true, onError: (error) => dependencies.redis.failed(error) });
  const events = createEventBus(redis, config.redisKeyPrefix);
  const sms = config.sms.sender === 'log' ? createLogSmsSender(logger) : createSnsSmsSender(config.sms);
  return {
    config,
    logger,
    orm,
    readOrm,
    redis,
    jobs,
    events,
    followUps: createFollowUpDispatcher({ orm, events, jobs, logger, redisStatus: dependencies.redis }),
    metrics: options.metrics ?? createMetrics({ process: options.process ?? 'gavel' }),
    databaseProbe,
    dependencies,
    objects: createObjectStore(config),
    images: createSharpImageProcessor(config.photos.images),
    sms,
    accessTokens: createAccessTokens(config.jwt),
    ...createRateLimiters(config, redis, logger, dependencies.redis),
    phoneVerification: {
      sms,
      sendThrottle: createVerificationSendThrottle(config, redis, logger),
      codeKey: deriveKey(config.jwt.secret, 'phone-verification-codes'),
      settings: config.phoneVerification,
    },
  };
}

export async function closeInfrastructure(infra: Infrastructure, options: { keepOrm?: boolean } = {}): Promise<void> {
  infra.dependencies.database.close();
  infra.dependencies.redis.close();
  await Promise.allSettled([infra.jobs.close(), options.keepOrm ? undefined : infra.orm.close(), infra.readOrm === infra.orm ? undefined : infra.readOrm.close(), infra.databaseProbe.close()]);
  infra.redis.disconnect();
}
