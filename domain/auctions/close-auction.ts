import type { EntityManager } from '@mikro-orm/postgresql';
import { closeNotifications } from '../notifications/sms-messages.ts';
import type { AuctionEventData } from './auction-events.ts';
import { Trade } from '../trades/trade.entity.ts';
import { eventFor, lockAuction, writeAuctionChange } from './auction-store.ts';
import { resolveClose } from './close-rules.ts';

export type CloseAuctionResult =
  | { result: 'not-found' }
  | { result: 'already-closed' }
  /** `now` is the database clock's, which judged it not due. */
  | { result: 'not-due'; endsAt: Date; now: Date }
  | { result: 'closed'; outcome: 'sold' | 'unsold'; tradeId: string | null; notificationIds: string[]; event: AuctionEventData; lateByMs: number };

/**
 * Settles an auction that is due: outcome (respecting the reserve), the trade, the listing's
 * status, the closing event and the notifications to send, all in one transaction under the
 * auction's row lock. Safe to run any number of times: a second run finds it closed.
 */
export async function closeAuction(em: EntityManager, auctionId: string): Promise<CloseAuctionResult> {
  return em.transactional(async (tx) => {
    const locked = await lockAuction(tx, auctionId);
    if (!locked) return { result: 'not-found' };
    const decision = resolveClose(locked.state, locked.now);
    if (decision.result === 'already-closed') return { result: 'already-closed' };
    if (decision.result === 'not-due') return { result: 'not-due', endsAt: locked.state.endsAt, now: locked.now };

    const { next, outcome, winnerId } = decision;
    const event = eventFor('closed', next, locked.eventSeq + 1, false, locked.now);
    const written = await writeAuctionChange(tx, {
      locked,
      next,
      bids: [],
      event,
      notifications: closeNotifications({
        auctionId,
        sellerId: next.sellerId,
        outcome,
        winnerId,
        price: next.currentPrice,
        unsoldReason: decision.unsoldReason,
      }),
      idempotency: null,
      closedAt: locked.now,
    });
    const trade = winnerId
      ? tx.create(Trade, { listingId: locked.listingId, sellerId: next.sellerId, buyerId: winnerId, price: next.currentPrice, kind: 'auction' })
      : null;
    await tx.flush();
    return {
      result: 'closed',
      outcome,
      tradeId: trade?.id ?? null,
      notificationIds: written.notificationIds,
      event,
      lateByMs: locked.now.getTime() - locked.state.endsAt.getTime(),
    };
  });
}
