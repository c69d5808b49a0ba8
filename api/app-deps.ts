import { createCallerAccounts } from '../infra/caller-accounts.ts';
import { createEventHub } from '../infra/event-hub.ts';
import type { Infrastructure } from '../infra/infrastructure.ts';
import { createKeyHasher } from '../infra/rate-limiter.ts';
import { createRedis } from '../infra/redis.ts';
import { createStreamLimiter } from '../infra/stream-limiter.ts';
import { createStreamTickets } from '../infra/stream-tickets.ts';
import { createPresence } from '../infra/presence.ts';
import type { AppDeps } from './context.ts';
import { OpenStreams } from './sse/open-streams.ts';
import { SharedReads } from './sse/shared-reads.ts';

/** An API process on top of the shared infrastructure: its event subscriber and its open streams. */
export function createAppDeps(infra: Infrastructure): AppDeps {
  const { config, logger } = infra;
  // Pub/sub needs a connection of its own: a subscribed connection can run no other command.
  const subscriber = createRedis(config, 'subscriber');
  subscriber.on('error', (error) => infra.dependencies.redis.failed(error));
  return {
    ...infra,
    eventHub: createEventHub(subscriber, config.redisKeyPrefix, logger),
    callerAccounts: createCallerAccounts({ databaseUrl: config.databaseUrl, ...config.callerCache }, logger),
    streams: new OpenStreams(),
    sharedReads: new SharedReads(infra.metrics.sseLogReads),
    streamLimiter: createStreamLimiter(infra.redis, config.redisKeyPrefix, config.sse.maxStreamsPerAddress, logger, createKeyHasher(config.rateLimitKeySecret), infra.dependencies.redis),
    streamTickets: createStreamTickets(infra.redis, config.redisKeyPrefix),
    presence: createPresence(infra.redis, config.redisKeyPrefix),
    lifecycle: { shuttingDown: false },
  };
}

/** Ends the streams (each with a retry hint) and drops the subscriber; the infrastructure is closed after. */
export async function closeAppDeps(deps: AppDeps): Promise<void> {
  deps.streams.endAll('server shutting down');
  await Promise.all([deps.eventHub.close(), deps.callerAccounts.close()]);
}
