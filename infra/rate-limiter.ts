import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { createHmac } from 'node:crypto';
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
export function createRedisRateLimiter(
  redis: Redis,
  keyPrefix: string,
  settings: RateLimitSettings,
  logger: Logger,
  redisStatus?: Pick<DependencyStatus, 'failed'>,
  keyOf: (key: string) => string = (key) => key,
): RateLimiter {
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
        await limiter.consume(keyOf(key));
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

/** Phone numbers and addresses appear in Redis keys only as an HMAC under a server secret. */
export function createKeyHasher(secret: string): (value: string) => string {
  return (value) => createHmac('sha256', secret).update(value).digest('base64url');
}

/**
 * Login attempts are counted per phone and per address before the password is checked: each
 * count is one atomic increment in Redis (rate-limiter-flexible's Lua script), and the attempt
 * goes on only if it stayed within the limit, so parallel attempts cannot all pass a check made
 * before any of them was counted. A correct password gives the attempt back. Without Redis the
 * counts are kept per process (the insurance limiter) rather than not at all.
 */
export function createLoginThrottle(
  redis: Redis,
  keyPrefix: string,
  settings: { perPhone: number; perAddress: number; windowS: number },
  keyOf: (value: string) => string,
  logger: Logger,
  redisStatus?: Pick<DependencyStatus, 'failed'>,
): LoginThrottle {
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
  const spend = async (limiter: RateLimiterRedis, key: string, what: string) => {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw tooMany(what, rejection.msBeforeNext);
      if (redisStatus) redisStatus.failed(rejection);
      else logger.warn({ err: rejection }, 'login throttle unavailable; allowing the attempt');
    }
  };
  const giveBack = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => logger.warn({ err: error }, 'login throttle could not give an attempt back'));
  return {
    async attempt(phone, address) {
      const phoneKey = keyOf(phone);
      const addressKey = keyOf(address);
      await spend(byPhone, phoneKey, 'for this phone number');
      try {
        await spend(byAddress, addressKey, 'from this address');
      } catch (error) {
        // Refused for the address: this attempt was never made against the phone.
        await giveBack(byPhone.reward(phoneKey));
        throw error;
      }
      return {
        async succeeded() {
          await Promise.all([giveBack(byPhone.delete(phoneKey)), giveBack(byAddress.reward(addressKey))]);
        },
      };
    },
  };
}

/** The limits the API enforces, named once for every process that builds an app. */
export function createRateLimiters(config: Config, redis: Redis, logger: Logger, redisStatus?: Pick<DependencyStatus, 'failed'>) {
  const keyOf = createKeyHasher(config.rateLimitKeySecret);
  return {
    loginThrottle: createLoginThrottle(redis, config.redisKeyPrefix, config.login, keyOf, logger, redisStatus),
    /** Signups per client address, counted (atomically) before the password is hashed. */
    signupThrottle: createRedisRateLimiter(
      redis,
      config.redisKeyPrefix,
      { name: 'signup', points: config.signup.perAddress, durationS: config.signup.windowS },
      logger,
      redisStatus,
      keyOf,
    ),
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
