import type { EntityManager } from '@mikro-orm/postgresql';
import { closeNotifications } from '../notifications/sms-messages.ts';
import { Trade } from '../trades/trade.entity.ts';
import type { AuctionEventData } from './auction-events.ts';
import type { AuctionState } from './auction-state.ts';
import { eventFor, writeAuctionChange, type LockedAuction } from './auction-store.ts';

export interface Settlement {
  tradeId: string | null;
  notificationIds: string[];
  event: AuctionEventData;
}

/**
 * Writes an auction that has just closed, while its row lock is held: the closed state and event,
 * the notifications to the winner and the seller (or the seller alone), and the trade of a sale.
 * The one place settlement happens, for the close job and for buy-now alike.
 */
export async function settleClosedAuction(
  tx: EntityManager,
  locked: LockedAuction,
  next: AuctionState,
  result: { outcome: 'sold' | 'unsold'; winnerId: string | null; unsoldReason: 'no-bids' | 'reserve-not-met' | null },
): Promise<Settlement> {
  const event = eventFor('closed', next, locked.eventSeq + 1, false, locked.now);
  const written = await writeAuctionChange(tx, {
    locked,
    next,
    bids: [],
    event,
    notifications: closeNotifications({ auctionId: next.id, sellerId: next.sellerId, price: next.currentPrice, ...result }),
    idempotency: null,
    closedAt: locked.now,
  });
  const trade = result.winnerId
    ? tx.create(Trade, { listingId: locked.listingId, sellerId: next.sellerId, buyerId: result.winnerId, price: next.currentPrice, kind: 'auction' })
    : null;
  await tx.flush();
  return { tradeId: trade?.id ?? null, notificationIds: written.notificationIds, event };
}
