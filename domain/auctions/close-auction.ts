import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuctionEventData } from './auction-events.ts';
import { lockAuction } from './auction-store.ts';
import { resolveClose } from './close-rules.ts';
import { settleClosedAuction } from './settle-closed-auction.ts';

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

    const { next, outcome, winnerId, unsoldReason } = decision;
    const settlement = await settleClosedAuction(tx, locked, next, { outcome, winnerId, unsoldReason });
    return { result: 'closed', outcome, ...settlement, lateByMs: locked.now.getTime() - locked.state.endsAt.getTime() };
  });
}
