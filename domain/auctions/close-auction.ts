import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { AuctionRepository } from './auction-repository.ts';
import { resolveClose } from './close-rules.ts';
import { settleClosedAuction } from './settle-closed-auction.ts';

export type CloseAuctionResult =
  | { result: 'not-found' }
  | { result: 'already-closed' }
  /** A late bid moved the end: a close job for the new end has been declared; `waitMs` is by the database clock. */
  | { result: 'not-due'; endsAt: Date; waitMs: number }
  | { result: 'closed'; outcome: 'sold' | 'unsold'; tradeId: string | null; lateByMs: number };

/**
 * Settles an auction that is due: outcome (respecting the reserve), the trade, the listing's
 * status, the closing event and the notifications to send, all in one transaction under the
 * auction's row lock. Safe to run any number of times: a second run finds it closed.
 */
export async function closeAuction(em: EntityManager, followUps: FollowUpDispatcher, auctionId: string): Promise<CloseAuctionResult> {
  return transactionWithFollowUps<CloseAuctionResult>(em, followUps, async (tx) => {
    const locked = await new AuctionRepository(tx).lockForChange(auctionId);
    if (!locked) return { value: { result: 'not-found' } };
    const decision = resolveClose(locked.state, locked.now);
    if (decision.result === 'already-closed') return { value: { result: 'already-closed' } };
    if (decision.result === 'not-due') {
      const { endsAt } = locked.state;
      const waitMs = endsAt.getTime() - locked.now.getTime();
      return { value: { result: 'not-due', endsAt, waitMs }, followUps: { jobs: [jobs.closeAuction(auctionId, endsAt)] } };
    }

    const { next, outcome, winnerId, unsoldReason } = decision;
    const settlement = await settleClosedAuction(tx, locked, next, { outcome, winnerId, unsoldReason });
    return {
      value: { result: 'closed', outcome, tradeId: settlement.tradeId, lateByMs: locked.now.getTime() - locked.state.endsAt.getTime() },
      followUps: settlement.followUps,
    };
  });
}
