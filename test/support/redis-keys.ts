import type { Redis } from '../../infra/redis.ts';

/** Removes every key under `prefix:` (queues, schedulers, limits); run once nothing uses the prefix any more. */
export async function dropKeysUnder(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let dropped = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) dropped += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  return dropped;
}
