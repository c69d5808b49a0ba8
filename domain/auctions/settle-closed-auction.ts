import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUps } from '../follow-ups/follow-ups.ts';
import { closeNotices } from '../notifications/notices.ts';
import { Trade } from '../trades/trade.entity.ts';
import { auctionEvent } from './auction-events.ts';
import type { AuctionState } from './auction-state.ts';
import { AuctionRepository, type LockedAuction } from './auction-repository.ts';

export interface Settlement {
  tradeId: string | null;
  /** The closed event and the notices to winner and seller, carried out after commit. */
  followUps: FollowUps;
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
  const event = auctionEvent('closed', next, locked.eventSeq + 1, false, locked.now);
  const written = await new AuctionRepository(tx).applyChange({
    locked,
    next,
    bids: [],
    event,
    notifications: closeNotices({ auctionId: next.id, sellerId: next.sellerId, price: next.currentPrice, ...result }),
    idempotency: null,
    closedAt: locked.now,
  });
  const trade = result.winnerId
    ? tx.create(Trade, { listingId: locked.listingId, sellerId: next.sellerId, buyerId: result.winnerId, price: next.currentPrice, kind: 'auction' })
    : null;
  await tx.flush();
  return { tradeId: trade?.id ?? null, followUps: { events: [event], notificationIds: written.notificationIds } };
}
