import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

/**
 * `maxRetriesPerRequest: null` is what BullMQ requires of the connections it uses; the API's
 * own connection instead fails commands fast so that a Redis outage cannot hang requests.
 */
export function createRedis(url: string, purpose: 'commands' | 'queue' | 'subscriber', options: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectionName: `gavel-${purpose}`,
    maxRetriesPerRequest: purpose === 'commands' ? 2 : null,
    enableOfflineQueue: purpose !== 'commands',
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...options,
  });
}
