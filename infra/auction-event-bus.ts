import type { AuctionEventData } from '../domain/auctions/auction-events.ts';
import type { EntityManager } from './database.ts';
import type { Redis } from './redis.ts';

/** One Redis pub/sub channel per auction; every API instance subscribes to the ones it serves. */
export const auctionChannel = (redisKeyPrefix: string, auctionId: string) => `${redisKeyPrefix}:auction-events:${auctionId}`;

export interface AuctionEventBus {
  /**
   * Publishes a committed outbox event and marks it published. Call only after the transaction
   * that wrote it has committed; if this never runs, the outbox relay publishes it later.
   */
  publish(em: EntityManager, event: AuctionEventData): Promise<void>;
  /** Publishes without marking; for the outbox relay, which marks in its own transaction. */
  publishOnly(event: AuctionEventData): Promise<void>;
}

export function createAuctionEventBus(redis: Redis, redisKeyPrefix: string): AuctionEventBus {
  const publishOnly = async (event: AuctionEventData) => {
    await redis.publish(auctionChannel(redisKeyPrefix, event.auctionId), JSON.stringify(event));
  };
  return {
    publishOnly,
    async publish(em, event) {
      await publishOnly(event);
      await em.execute('update auction_events set published_at = now() where auction_id = ? and seq = ? and published_at is null', [event.auctionId, event.seq]);
    },
  };
}
