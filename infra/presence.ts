import { randomUUID } from 'node:crypto';
import type { Presence } from '../domain/user-stream/presence.ts';
import type { Redis } from './redis.ts';

/** A stream not seen for this long (its heartbeats stopped: the process died) no longer counts. */
const STALE_AFTER_MS = 45_000;

export interface PresenceTracker extends Presence {
  /** Counts one open stream of the user until `release`; `touch` on every heartbeat. */
  track(userId: string): { touch(): void; release(): void };
}

/**
 * Who has a stream open, across instances: one sorted set per user in Redis, a member per open
 * stream scored by its last heartbeat, so a stream of a process that died stops counting by
 * itself. Redis trouble makes everyone look offline, which only adds inbox items.
 */
export function createPresence(redis: Redis, redisKeyPrefix: string): PresenceTracker {
  const keyOf = (userId: string) => `${redisKeyPrefix}:presence:${userId}`;
  return {
    async isOnline(userId) {
      try {
        return (await redis.zcount(keyOf(userId), Date.now() - STALE_AFTER_MS, '+inf')) > 0;
      } catch {
        return false;
      }
    },
    track(userId) {
      const key = keyOf(userId);
      const id = randomUUID();
      const seen = () => void redis.multi().zadd(key, Date.now(), id).zremrangebyscore(key, '-inf', Date.now() - STALE_AFTER_MS).pexpire(key, STALE_AFTER_MS * 2).exec().catch(() => undefined);
      seen();
      return { touch: seen, release: () => void redis.zrem(key, id).catch(() => undefined) };
    },
  };
}
