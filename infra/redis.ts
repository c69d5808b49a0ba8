import { Cluster, Redis as SingleRedis, type RedisOptions } from 'ioredis';

export { Cluster };

/** A connection to one Redis server or to a Redis Cluster: both speak the same commands. */
export type Redis = SingleRedis | Cluster;

/** Where Redis is: one server (`REDIS_URL`), or a cluster's seeds (`REDIS_CLUSTER_NODES`), which win when set. */
export interface RedisTarget {
  redisUrl: string;
  redisCluster?: { nodes: { host: string; port: number }[]; tls: boolean; username?: string | undefined; password?: string | undefined } | null;
}

export type RedisPurpose = 'commands' | 'queue' | 'subscriber';

/**
 * The one place Redis connections are made. `maxRetriesPerRequest: null` is what BullMQ requires of
 * the connections it uses; the API's own connection instead fails commands fast so that a Redis
 * outage cannot hang requests. On a cluster the same per-connection options go to every node, and
 * a subscriber keeps one sharded-pub/sub connection per shard (SSUBSCRIBE goes to the shard that
 * owns the channel's slot).
 */
export function createRedis(target: RedisTarget | string, purpose: RedisPurpose, options: RedisOptions = {}): Redis {
  const where: RedisTarget = typeof target === 'string' ? { redisUrl: target } : target;
  const perConnection: RedisOptions = {
    connectionName: `gavel-${purpose}`,
    maxRetriesPerRequest: purpose === 'commands' ? 2 : null,
    enableOfflineQueue: purpose !== 'commands',
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...options,
  };
  const cluster = where.redisCluster;
  if (!cluster) return new SingleRedis(where.redisUrl, perConnection);
  return new Cluster(cluster.nodes, {
    redisOptions: {
      ...perConnection,
      ...(cluster.tls ? { tls: {} } : {}),
      ...(cluster.username ? { username: cluster.username } : {}),
      ...(cluster.password ? { password: cluster.password } : {}),
    },
    // Managed clusters (ElastiCache, MemoryDB) answer CLUSTER SLOTS with addresses whose TLS
    // certificates are issued for the names as given: resolve them as they are, not by IP.
    ...(cluster.tls ? { dnsLookup: (address: string, callback: (error: Error | null, address: string) => void) => callback(null, address) } : {}),
    enableOfflineQueue: purpose !== 'commands',
    // A cluster pipelines per node itself; the option is the cluster's, not each connection's.
    enableAutoPipelining: options.enableAutoPipelining ?? false,
    clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    // A failover or a slot moving gives CLUSTERDOWN/TRYAGAIN for a moment: retry on the new map.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2000,
    shardedSubscribers: purpose === 'subscriber',
  });
}

/** Whether these connections go to a cluster, where multi-key commands need one hash slot. */
export const isCluster = (target: RedisTarget) => Boolean(target.redisCluster);

/**
 * Pub/sub as the rest of the code sees it. On a cluster a plain PUBLISH is broadcast over the
 * cluster bus to every node, so every shard carries every event; sharded pub/sub (SPUBLISH,
 * Redis 7) sends a channel's messages only to the shard owning its slot, so fan-out spreads over
 * the shards. A single Redis keeps PUBLISH/SUBSCRIBE.
 */
export const pubSub = {
  publish: (redis: Redis, channel: string, message: string) => (redis instanceof Cluster ? redis.spublish(channel, message) : redis.publish(channel, message)),
  subscribe: (redis: Redis, channel: string) => (redis instanceof Cluster ? redis.ssubscribe(channel) : redis.subscribe(channel)),
  unsubscribe: (redis: Redis, channel: string) => (redis instanceof Cluster ? redis.sunsubscribe(channel) : redis.unsubscribe(channel)),
  /** The event a subscriber connection emits a message as: `smessage` for sharded channels. */
  messageEvent: (redis: Redis) => (redis instanceof Cluster ? 'smessage' : 'message'),
};
