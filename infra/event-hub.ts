import { once } from 'node:events';
import type { Logger } from './logger.ts';
import { pubSub, type Redis } from './redis.ts';

export type EventListener = (message: unknown) => void;

/**
 * A topic names one live sequence (`auction-events:<id>`, `user-events:<id>`); its Redis channel
 * is the topic under the deployment's key prefix.
 */
export const topicChannel = (redisKeyPrefix: string, topic: string) => `${redisKeyPrefix}:${topic}`;

export interface EventHub {
  /** Starts listening to a topic's channel; resolves once Redis confirmed the subscription. */
  subscribe(topic: string, listener: EventListener): Promise<() => void>;
  /** Whether the subscriber connection is up; while it is not, live delivery is impossible. */
  readonly connected: boolean;
  /** Called when the subscriber connection drops: every stream must tell its client to reconnect. */
  onDisconnect(handler: () => void): () => void;
  close(): Promise<void>;
}

/**
 * This process's view of Redis pub/sub: ONE dedicated subscriber connection, one SUBSCRIBE per
 * topic (an auction, a user) however many local clients watch it, UNSUBSCRIBE when the last one
 * leaves. The state is only about local clients, so no other instance needs it.
 */
export function createEventHub(subscriber: Redis, redisKeyPrefix: string, logger: Logger): EventHub {
  const channelPrefix = topicChannel(redisKeyPrefix, '');
  const listeners = new Map<string, Set<EventListener>>();
  const disconnectHandlers = new Set<() => void>();
  let connected = subscriber.status === 'ready';

  subscriber.on('ready', () => {
    connected = true;
    // ioredis re-subscribes on reconnect; events published meanwhile are caught up by Last-Event-ID.
  });
  subscriber.on('close', () => {
    if (!connected) return;
    connected = false;
    // The outage itself is logged once by the dependency status; this is what it does to streams.
    logger.info('event subscriber lost its Redis connection; streams are told to reconnect');
    for (const handler of [...disconnectHandlers]) handler();
  });
  subscriber.on(pubSub.messageEvent(subscriber), (channel: string, message: string) => {
    if (!channel.startsWith(channelPrefix)) return;
    const local = listeners.get(channel.slice(channelPrefix.length));
    if (!local) return;
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch {
      logger.error({ channel }, 'unreadable event on the bus');
      return;
    }
    for (const listener of local) listener(event);
  });

  return {
    get connected() {
      return connected;
    },
    async subscribe(topic, listener) {
      // Queued until Redis returns, a subscription would leave the client waiting in silence.
      // Right after start the connection may still be opening: wait a moment for it, not longer.
      if (!connected && (subscriber.status === 'connecting' || subscriber.status === 'connect' || subscriber.status === 'wait')) {
        await once(subscriber, 'ready', { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      }
      if (!connected) throw new Error('the event subscriber is not connected');
      let local = listeners.get(topic);
      if (!local) {
        local = new Set();
        listeners.set(topic, local);
      }
      local.add(listener);
      try {
        // Redis treats a repeated SUBSCRIBE as a no-op; awaiting it tells us the subscription is live.
        await pubSub.subscribe(subscriber, topicChannel(redisKeyPrefix, topic));
      } catch (error) {
        local.delete(listener);
        if (local.size === 0 && listeners.get(topic) === local) listeners.delete(topic);
        throw error;
      }
      return () => {
        local.delete(listener);
        if (local.size === 0 && listeners.get(topic) === local) {
          listeners.delete(topic);
          pubSub.unsubscribe(subscriber, topicChannel(redisKeyPrefix, topic)).catch(() => undefined);
        }
      };
    },
    onDisconnect(handler) {
      disconnectHandlers.add(handler);
      return () => disconnectHandlers.delete(handler);
    },
    async close() {
      disconnectHandlers.clear();
      listeners.clear();
      subscriber.disconnect();
    },
  };
}
