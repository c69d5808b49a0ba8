import { conflict } from '../errors.ts';
import type { AuctionState } from './auction-state.ts';
import { assertOpenToBuyer } from './open-auction-guard.ts';

/** Closes the auction, sold to `buyerId` at the buy-now price, ending now. */
export function resolveBuyNow(state: AuctionState, buyerId: string, now: Date): { next: AuctionState } {
  assertOpenToBuyer(state, buyerId, now);
  const price = state.buyNowPrice;
  if (price === null) throw conflict('buy-now-unavailable', 'This auction has no buy-now price.');
  if (state.currentPrice >= price) {
    throw conflict('buy-now-unavailable', 'Bidding has reached the buy-now price.', { currentPrice: state.currentPrice });
  }
  return {
    next: {
      ...state,
      status: 'closed',
      outcome: 'sold',
      leaderId: buyerId,
      leaderMaxAmount: price,
      currentPrice: price,
      endsAt: now,
    },
  };
}
