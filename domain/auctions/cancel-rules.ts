import { conflict, forbidden } from '../errors.ts';
import type { AuctionState } from './auction-state.ts';
import { assertNotClosed } from './open-auction-guard.ts';

/**
 * The seller withdraws the auction: before the first bid at any time; once someone has bid, only
 * until `cutoffS` before the end, so bidders racing the last hours cannot be cheated of a win.
 */
export function resolveCancel(state: AuctionState, byUserId: string, now: Date, cutoffS: number): { next: AuctionState } {
  if (byUserId !== state.sellerId) throw forbidden('not-auction-seller', 'Only the seller can cancel this auction.');
  assertNotClosed(state, now);
  if (state.bidCount > 0 && now.getTime() > state.endsAt.getTime() - cutoffS * 1000) {
    throw conflict('cancel-too-late', `An auction with bids can be cancelled only until ${cutoffS} seconds before its end.`, {
      cutoffS,
      endsAt: state.endsAt.toISOString(),
    });
  }
  return { next: { ...state, status: 'closed', outcome: 'cancelled', endsAt: now } };
}
