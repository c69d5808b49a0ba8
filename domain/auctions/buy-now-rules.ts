import { conflict } from '../errors.ts';
import { effectiveStatus, reserveMet, type AuctionState } from './auction-state.ts';
import { assertOpenToBuyer } from './open-auction-guard.ts';

type Judged = Pick<AuctionState, 'status' | 'outcome' | 'startsAt' | 'endsAt' | 'buyNowPrice' | 'bidCount' | 'reservePrice' | 'leaderId' | 'currentPrice'>;

/**
 * Buy-now is offered until the first bid, or, with a reserve, until a bid meets the reserve
 * (eBay's rule): once bidding is real, nobody may end it by paying a price a bidder's maximum
 * may already exceed.
 */
export function buyNowAvailable(state: Judged, now: Date): boolean {
  if (state.buyNowPrice === null || effectiveStatus(state, now) !== 'open') return false;
  if (state.bidCount === 0) return true;
  return reserveMet(state) === false && state.currentPrice < state.buyNowPrice;
}

/** Closes the auction, sold to `buyerId` at the buy-now price, ending now. */
export function resolveBuyNow(state: AuctionState, buyerId: string, now: Date): { next: AuctionState } {
  assertOpenToBuyer(state, buyerId, now);
  const price = state.buyNowPrice;
  if (price === null) throw conflict('buy-now-unavailable', 'This auction has no buy-now price.');
  if (!buyNowAvailable(state, now)) {
    throw conflict('buy-now-unavailable', 'Buy-now ended with the first bid that counts.', { currentPrice: state.currentPrice, bidCount: state.bidCount });
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
