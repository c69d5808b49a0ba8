import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import type { AuctionEventData } from './auction-events.ts';
import { closeNotifications } from '../notifications/sms-messages.ts';
import { Trade } from '../trades/trade.entity.ts';
import { eventFor, lockAuction, writeAuctionChange } from './auction-store.ts';
import { auctionViewFor, type AuctionView } from './auction-view-for.ts';
import { resolveBuyNow } from './buy-now-rules.ts';

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
    const event = eventFor('closed', next, locked.eventSeq + 1, false, locked.now);
    const written = await writeAuctionChange(tx, {
      locked,
      next,
      bids: [],
      event,
      notifications: closeNotifications({
        auctionId,
        sellerId: next.sellerId,
        outcome: 'sold',
        winnerId: buyerId,
        price: next.currentPrice,
        unsoldReason: null,
      }),
      idempotency: null,
      closedAt: locked.now,
    });
    const trade = tx.create(Trade, {
      listingId: locked.listingId,
      sellerId: next.sellerId,
      buyerId,
      price: next.currentPrice,
      kind: 'auction',
    });
    await tx.flush();
    return { auction: auctionViewFor(next, locked.listingId, locked.now, buyerId), tradeId: trade.id, notificationIds: written.notificationIds, event };
  });
}
