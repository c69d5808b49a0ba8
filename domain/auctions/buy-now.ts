import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import type { AuctionEventData } from './auction-events.ts';
import { lockAuction } from './auction-store.ts';
import { auctionViewFor, type AuctionView } from './auction-view-for.ts';
import { resolveBuyNow } from './buy-now-rules.ts';
import { settleClosedAuction } from './settle-closed-auction.ts';

/** Ends the auction at once at its buy-now price and opens the trade, under the auction's lock. */
export async function buyNow(
  em: EntityManager,
  buyerId: string,
  auctionId: string,
): Promise<{ auction: AuctionView; tradeId: string; notificationIds: string[]; event: AuctionEventData }> {
  return em.transactional(async (tx) => {
    const locked = await lockAuction(tx, auctionId);
    if (!locked) throw notFound('auction');
    const { next } = resolveBuyNow(locked.state, buyerId, locked.now);
    const settlement = await settleClosedAuction(tx, locked, next, { outcome: 'sold', winnerId: buyerId, unsoldReason: null });
    return { auction: auctionViewFor(next, locked.listingId, locked.now, buyerId), ...settlement, tradeId: settlement.tradeId! };
  });
}
