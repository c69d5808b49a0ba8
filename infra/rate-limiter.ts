import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiter } from '../domain/auctions/rate-limiter.ts';
import { DomainError } from '../domain/errors.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { Redis } from './redis.ts';

export interface RateLimitSettings {
  /** Names the limit in Redis keys and in the problem type. */
  name: string;
  points: number;
  durationS: number;
}

/**
 * A fixed-window limit counted in Redis, so every API instance shares it. When Redis is down the
 * limit falls back to a per-process count instead of failing the request: PostgreSQL is the
 * truth for bids, and an outage of the cache must not stop trading.
 */
export function createRedisRateLimiter(redis: Redis, keyPrefix: string, settings: RateLimitSettings, logger: Logger): RateLimiter {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${keyPrefix}:rl:${settings.name}`,
    points: settings.points,
    duration: settings.durationS,
    insuranceLimiter: new RateLimiterMemory({ points: settings.points, duration: settings.durationS }),
  });
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          const retryAfterS = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          throw new DomainError('rate_limited', `${settings.name}-rate-limited`, `Too many requests; try again in ${retryAfterS} s.`, { retryAfterS });
        }
        logger.warn({ err: rejection, limit: settings.name }, 'rate limiter failed; allowing the request');
      }
    },
  };
}

/** The limits the API enforces, named once for every process that builds an app. */
export function createRateLimiters(config: Config, redis: Redis, logger: Logger) {
  return {
    bidRateLimiter: createRedisRateLimiter(
      redis,
      config.redisKeyPrefix,
      { name: 'bid', points: config.auctions.bidRateLimitPerMin, durationS: 60 },
      logger,
    ),
  };
}
