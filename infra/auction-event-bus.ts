import type { AuctionEventData } from '../domain/auctions/auction-events.ts';
import type { Redis } from './redis.ts';

/** One Redis pub/sub channel per auction; every API instance subscribes to the ones it serves. */
export const auctionChannel = (redisKeyPrefix: string, auctionId: string) => `${redisKeyPrefix}:auction-events:${auctionId}`;

export interface AuctionEventBus {
  /** Publishes a committed outbox event; marking it published is the caller's (the dispatcher's, the relay's). */
  publish(event: AuctionEventData): Promise<void>;
}

export function createAuctionEventBus(redis: Redis, redisKeyPrefix: string): AuctionEventBus {
  return {
    async publish(event) {
      await redis.publish(auctionChannel(redisKeyPrefix, event.auctionId), JSON.stringify(event));
    },
  };
}
