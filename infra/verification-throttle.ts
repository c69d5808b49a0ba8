import { createHmac } from 'node:crypto';
import type { VerificationSendThrottle } from '../domain/accounts/phone-verification.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { createKeyHasher, createRedisRateLimiter } from './rate-limiter.ts';
import type { Redis } from './redis.ts';

/** Derived from the server secret so neither codes at rest nor Redis keys can be reversed without it. */
export const deriveKey = (secret: string, purpose: string) => createHmac('sha256', secret).update(`gavel:${purpose}`).digest();

/**
 * Codes sent, counted per phone and per address. Each count is an atomic Redis increment that
 * answers with the new total (rate-limiter-flexible's consume), and the total decides: there is no
 * read-then-write gap for a burst to pass through. The address is counted first, so a blocked address
 * spends nothing of a phone's allowance.
 */
export function createVerificationSendThrottle(config: Config, redis: Redis, logger: Logger): VerificationSendThrottle {
  const { sendsPerPhone, sendsPerAddress, windowS } = config.phoneVerification;
  // Phones and addresses reach Redis keys only as an HMAC under the rate-limit key secret, like every limit's.
  const keyOf = createKeyHasher(config.rateLimitKeySecret);
  const byAddress = createRedisRateLimiter(redis, config.redisKeyPrefix, { name: 'verification-address', points: sendsPerAddress, durationS: windowS }, logger, undefined, keyOf);
  const byPhone = createRedisRateLimiter(redis, config.redisKeyPrefix, { name: 'verification-phone', points: sendsPerPhone, durationS: windowS }, logger, undefined, keyOf);
  return {
    async consume(phone, address) {
      await byAddress.consume(address);
      await byPhone.consume(phone);
    },
  };
}
