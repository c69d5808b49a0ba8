import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/**
 * Test harnesses share one Redis and keep apart by key prefix (REDIS_KEY_PREFIX). Whatever a
 * harness leaves under its prefix stays there for good (BullMQ keys have no expiry), so every
 * harness removes its prefix when it closes: this module is the one place that does it.
 */

/** The Redis the harnesses use: TEST_REDIS_URL, else the local one. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis and a key prefix in it, as in the app's Config. */
export interface RedisPrefix {
  redisUrl: string;
  redisKeyPrefix: string;
}

/** A short-lived connection of our own: the harness's connections are closed by the time it cleans up. */
async function withRedis<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<{ reached: false } | { reached: true; value: T }> {
  const redis = new Redis(url, { lazyConnect: true, connectionName: 'gavel-test-cleanup', maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    try {
      await redis.connect();
    } catch {
      return { reached: false };
    }
    return { reached: true, value: await use(redis) };
  } finally {
    redis.disconnect();
  }
}

async function scanAll(redis: Redis, match: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return [...new Set(keys)];
}

/** Names of the connections a BullMQ worker (or queue-events listener) holds under the prefix, in any process. */
async function workerConnections(redis: Redis, prefix: string): Promise<string[]> {
  const list = (await redis.client('LIST')) as string;
  return list
    .split('\n')
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => name.startsWith(`${prefix}:`));
}

/** Every key that starts with the prefix (with or without the `:` the app puts after it). */
export async function redisKeysUnder(where: RedisPrefix): Promise<string[]> {
  const found = await withRedis(where.redisUrl, (redis) => scanAll(redis, `${where.redisKeyPrefix}*`));
  if (!found.reached) throw new Error(`Redis at ${where.redisUrl} cannot be reached`);
  return found.value.sort();
}

/**
 * Removes every key under the prefix, once no BullMQ worker is connected under it any more (in
 * this process or another): keys removed under a running worker come back. Throws if workers are
 * still connected after `waitMs`, naming them, so a harness that closes in the wrong order fails
 * instead of leaking. A Redis that cannot be reached is skipped: the test pointed the app at no
 * Redis, or at a private one it already stopped, and left nothing in the shared one.
 * Returns how many keys it removed.
 */
export async function dropRedisKeys(where: RedisPrefix, options: { waitMs?: number } = {}): Promise<number> {
  const waitMs = options.waitMs ?? 10_000;
  const done = await withRedis(where.redisUrl, async (redis) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const workers = await workerConnections(redis, where.redisKeyPrefix);
      if (!workers.length) break;
      if (Date.now() > deadline) {
        throw new Error(`not removing the keys under ${where.redisKeyPrefix}: workers still connected after ${waitMs} ms (${workers.join(', ')}); stop them first`);
      }
      await sleep(50);
    }
    const keys = await scanAll(redis, `${where.redisKeyPrefix}:*`);
    for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
    return keys.length;
  });
  return done.reached ? done.value : 0;
}

const holders = new Map<string, number>();

/**
 * Marks the prefix as in use by one more harness of this process (an app, a peer instance, in-process
 * workers, a worker process). `release` when that harness has stopped; the last release removes
 * the keys under the prefix, so harnesses sharing a prefix may close in any order.
 */
export function holdRedisPrefix(where: RedisPrefix): { release(): Promise<void> } {
  const id = `${where.redisUrl} ${where.redisKeyPrefix}`;
  holders.set(id, (holders.get(id) ?? 0) + 1);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const left = holders.get(id)! - 1;
      if (left > 0) {
        holders.set(id, left);
        return;
      }
      holders.delete(id);
      await dropRedisKeys(where);
    },
  };
}

/**
 * The API's command connection fails commands fast until it is connected (no offline queue), and
 * the limits then count in the process (their insurance). Tests that count exactly wait for it.
 */
export async function redisReady(redis: { status: string; once(event: 'ready', listener: () => void): unknown }): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => redis.once('ready', resolve));
}
