import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUps } from '../follow-ups/follow-ups.ts';
import type { NewNotification } from '../notifications/notification-kinds.ts';
import { closeNotices } from '../notifications/notices.ts';
import { Trade } from '../trades/trade.entity.ts';
import { auctionEvent } from './auction-events.ts';
import type { AuctionState } from './auction-state.ts';
import { AuctionRepository, type LockedAuction } from './auction-repository.ts';

export interface Settlement {
  tradeId: string | null;
  /** The closed event and the notices to winner, seller and the other bidders, carried out after commit. */
  followUps: FollowUps;
}

/**
 * Writes an auction that has just closed, while its row lock is held: the closed state and event,
 * the notices (winner and seller, or the seller alone, and every other bidder), and the trade of a
 * sale with the title it was made with. The one place settlement happens, for the close job and
 * for buy-now alike; `extraNotices` are the caller's own (buy-now tells the leader it was outbid).
 */
export async function settleClosedAuction(
  tx: EntityManager,
  locked: LockedAuction,
  next: AuctionState,
  result: { outcome: 'sold' | 'unsold'; winnerId: string | null; unsoldReason: 'no-bids' | 'reserve-not-met' | null },
  extraNotices: NewNotification[] = [],
): Promise<Settlement> {
  const auctions = new AuctionRepository(tx);
  const { title, bidderIds } = await auctions.closingFacts(next.id, locked.listingId);
  const closeNoticesFor = closeNotices({ auctionId: next.id, sellerId: next.sellerId, price: next.currentPrice, bidderIds, ...result });
  const { followUps } = await writeClose(auctions, locked, next, [...closeNoticesFor, ...extraNotices]);
  const trade = result.winnerId
    ? tx.create(Trade, {
        listingId: locked.listingId,
        auctionId: next.id,
        title,
        sellerId: next.sellerId,
        buyerId: result.winnerId,
        price: next.currentPrice,
        kind: 'auction',
      })
    : null;
  await tx.flush();
  return { tradeId: trade?.id ?? null, followUps };
}

/**
 * The write every ending of an auction shares (a close, buy-now, a cancel): the closed state, its
 * `closed` event and the notices, in one statement under the lock; the event and the notices follow.
 */
export async function writeClose(
  auctions: AuctionRepository,
  locked: LockedAuction,
  next: AuctionState,
  notifications: NewNotification[],
  cancelReason: string | null = null,
): Promise<{ followUps: FollowUps }> {
  const event = auctionEvent('closed', next, locked.eventSeq + 1, false, locked.now);
  const written = await auctions.applyChange({ locked, next, bids: [], event, notifications, idempotency: null, closedAt: locked.now, cancelReason });
  return { followUps: { events: [event], notifications: written.notifications } };
}
