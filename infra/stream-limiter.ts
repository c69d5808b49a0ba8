import { randomUUID } from 'node:crypto';
import type { DependencyStatus } from './dependency-failures.ts';
import type { Logger } from './logger.ts';
import type { Redis } from './redis.ts';

export interface StreamSlot {
  /** Called on every heartbeat, so a slot of a process that died expires instead of leaking. */
  touch(): void;
  release(): void;
}

/** A slot not touched for this long belongs to a stream whose process is gone. */
const SLOT_TTL_MS = 60_000;

/**
 * Caps open event streams per client address across all API instances: each stream holds a slot
 * in a Redis sorted set scored by its last heartbeat. If Redis is down the cap is not enforced
 * (and streams cannot be live anyway; they replay and ask the client to come back).
 */
export function createStreamLimiter(
  redis: Redis,
  redisKeyPrefix: string,
  maxPerAddress: number,
  logger: Logger,
  keyOf: (address: string) => string,
  redisStatus?: Pick<DependencyStatus, 'failed'>,
) {
  return {
    async acquire(address: string): Promise<StreamSlot | null> {
      // The address only as an HMAC, as in every rate-limit key.
      const key = `${redisKeyPrefix}:sse-slots:${keyOf(address)}`;
      const id = randomUUID();
      const now = Date.now();
      let count: number;
      try {
        const results = await redis
          .multi()
          .zremrangebyscore(key, '-inf', now - SLOT_TTL_MS)
          .zadd(key, now, id)
          .zcard(key)
          .pexpire(key, SLOT_TTL_MS * 2)
          .exec();
        count = Number(results?.[2]?.[1] ?? 0);
      } catch (error) {
        if (redisStatus) redisStatus.failed(error);
        else logger.warn({ err: error }, 'stream limiter unavailable; not enforcing the per-address cap');
        return { touch: () => undefined, release: () => undefined };
      }
      if (count > maxPerAddress) {
        await redis.zrem(key, id).catch(() => undefined);
        return null;
      }
      return {
        touch: () => void redis.zadd(key, Date.now(), id).catch(() => undefined),
        release: () => void redis.zrem(key, id).catch(() => undefined),
      };
    },
  };
}

export type StreamLimiter = ReturnType<typeof createStreamLimiter>;
