import type { AuctionEventData } from '../domain/auctions/auction-events.ts';
import type { UserEventData, UserStreamControl } from '../domain/user-stream/user-event-log.ts';
import { topicChannel } from './event-hub.ts';
import { pubSub, type Redis } from './redis.ts';

/** One Redis pub/sub topic per auction; every API instance subscribes to the ones it serves. */
export const auctionTopic = (auctionId: string) => `auction-events:${auctionId}`;
export const auctionChannel = (redisKeyPrefix: string, auctionId: string) => topicChannel(redisKeyPrefix, auctionTopic(auctionId));

/** One topic per user: their events and the controls that end their streams. */
export const userTopic = (userId: string) => `user-events:${userId}`;

export interface EventBus {
  /** Publishes a committed outbox event; marking it published is the caller's (the dispatcher's, the relay's). */
  publish(event: AuctionEventData): Promise<void>;
  /** The same for a user's event, or a control for their streams. */
  publishToUser(message: UserEventData | UserStreamControl): Promise<void>;
}

export function createEventBus(redis: Redis, redisKeyPrefix: string): EventBus {
  return {
    async publish(event) {
      await pubSub.publish(redis, auctionChannel(redisKeyPrefix, event.auctionId), JSON.stringify(event));
    },
    async publishToUser(message) {
      await pubSub.publish(redis, topicChannel(redisKeyPrefix, userTopic(message.userId)), JSON.stringify(message));
    },
  };
}
