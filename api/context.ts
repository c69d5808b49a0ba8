import type { ParameterizedContext } from 'koa';
import type { Redis } from 'ioredis';
import type { Config } from '../infra/config.ts';
import type { EntityManager, Orm } from '../infra/database.ts';
import type { AuctionEventBus } from '../infra/auction-event-bus.ts';
import type { JobQueues } from '../infra/job-queues.ts';
import type { Logger } from '../infra/logger.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { AccessTokens, Caller } from '../domain/accounts/access-tokens.ts';
import type { LoginThrottle } from '../domain/accounts/login-throttle.ts';
import type { RateLimiter } from '../domain/auctions/rate-limiter.ts';
import type { ObjectStore } from '../domain/photos/object-store.ts';
import type { AuctionEventHub } from './sse/auction-event-hub.ts';
import type { OpenStreams } from './sse/open-streams.ts';
import type { StreamLimiter } from './sse/stream-limiter.ts';

/** What `createApp` needs from the outside; tests build it against their own database and prefix. */
export interface AppDeps {
  config: Config;
  orm: Orm;
  redis: Redis;
  logger: Logger;
  accessTokens: AccessTokens;
  bidRateLimiter: RateLimiter;
  uploadRateLimiter: RateLimiter;
  loginThrottle: LoginThrottle;
  /** Producer side of the job queues (close auctions, send SMS). */
  jobs: JobQueues;
  /** Publishes committed auction events to Redis pub/sub. */
  events: AuctionEventBus;
  /** This process's subscriptions, shared by its SSE clients. */
  eventHub: AuctionEventHub;
  streams: OpenStreams;
  streamLimiter: StreamLimiter;
  metrics: Metrics;
  /** Where photos are stored (local disk or S3). */
  objects: ObjectStore;
  /** Flipped by the server on SIGTERM so that readiness fails before the listener closes. */
  lifecycle: { shuttingDown: boolean };
}

export interface AppState {
  requestId: string;
  log: Logger;
  /** A fresh EntityManager for this request only. */
  em: EntityManager;
  caller?: Caller;
}

export type AppContext = ParameterizedContext<AppState>;
