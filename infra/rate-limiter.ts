import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { createHash } from 'node:crypto';
import type { LoginThrottle } from '../domain/accounts/login-throttle.ts';
import type { RateLimiter } from '../domain/auctions/rate-limiter.ts';
import { DomainError } from '../domain/errors.ts';
import type { Config } from './config.ts';
import type { DependencyStatus } from './dependency-failures.ts';
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
export function createRedisRateLimiter(redis: Redis, keyPrefix: string, settings: RateLimitSettings, logger: Logger, redisStatus?: Pick<DependencyStatus, 'failed'>): RateLimiter {
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
        // During an outage every request would fail here: one warning per outage is enough.
        if (redisStatus) redisStatus.failed(rejection);
        else logger.warn({ err: rejection, limit: settings.name }, 'rate limiter failed; allowing the request');
      }
    },
  };
}

const tooMany = (what: string, msBeforeNext: number) => {
  const retryAfterS = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new DomainError('rate_limited', 'login-rate-limited', `Too many login attempts ${what}; try again in ${retryAfterS} s.`, { retryAfterS });
};

/**
 * Failed logins are counted per phone (hashed: no phone numbers in Redis keys) and per address;
 * either limit blocks further attempts for the rest of its window.
 */
export function createLoginThrottle(redis: Redis, keyPrefix: string, settings: { perPhone: number; perAddress: number; windowS: number }, logger: Logger, redisStatus?: Pick<DependencyStatus, 'failed'>): LoginThrottle {
  const make = (name: string, points: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:rl:${name}`,
      points,
      duration: settings.windowS,
      insuranceLimiter: new RateLimiterMemory({ points, duration: settings.windowS }),
    });
  const byPhone = make('login-phone', settings.perPhone);
  const byAddress = make('login-address', settings.perAddress);
  const phoneKey = (phone: string) => createHash('sha256').update(phone).digest('hex');
  const failOpen = (error: unknown) => {
    if (redisStatus) redisStatus.failed(error);
    else logger.warn({ err: error }, 'login throttle unavailable; allowing the attempt');
    return null;
  };
  return {
    async check(phone, address) {
      const [phoneState, addressState] = await Promise.all([byPhone.get(phoneKey(phone)).catch(failOpen), byAddress.get(address).catch(failOpen)]);
      if (phoneState && phoneState.consumedPoints >= settings.perPhone) throw tooMany('for this phone number', phoneState.msBeforeNext);
      if (addressState && addressState.consumedPoints >= settings.perAddress) throw tooMany('from this address', addressState.msBeforeNext);
    },
    async recordFailure(phone, address) {
      // Consuming past the limit rejects with the state; the next check() reports the block.
      await Promise.all([byPhone.consume(phoneKey(phone)).catch(() => undefined), byAddress.consume(address).catch(() => undefined)]);
    },
    async recordSuccess(phone) {
      await byPhone.delete(phoneKey(phone)).catch(() => undefined);
    },
  };
}

/** The limits the API enforces, named once for every process that builds an app. */
export function createRateLimiters(config: Config, redis: Redis, logger: Logger, redisStatus?: Pick<DependencyStatus, 'failed'>) {
  return {
    loginThrottle: createLoginThrottle(redis, config.redisKeyPrefix, config.login, logger, redisStatus),
    uploadRateLimiter: createRedisRateLimiter(
      redis,
      config.redisKeyPrefix,
      { name: 'upload', points: config.photos.upload.perHour, durationS: 3600 },
      logger,
      redisStatus,
    ),
    bidRateLimiter: createRedisRateLimiter(
      redis,
      config.redisKeyPrefix,
      { name: 'bid', points: config.auctions.bidRateLimitPerMin, durationS: 60 },
      logger,
      redisStatus,
    ),
    messageRateLimiter: createRedisRateLimiter(redis, config.redisKeyPrefix, { name: 'message', points: config.chat.messagesPerMin, durationS: 60 }, logger),
  };
}
