import type { AuctionState } from './auction-state.ts';

/** One band of the published table; `toPrice` is inclusive and null means no upper bound. */
export type IncrementBand = {
  readonly fromPrice: number;
  readonly toPrice: number | null;
  readonly increment: number;
};

/** The least a bid must add to the current price, by the band the current price is in (KRW). */
export const incrementTable: readonly IncrementBand[] = Object.freeze([
  band(0, 9_999, 500),
  band(10_000, 49_999, 1_000),
  band(50_000, 99_999, 2_000),
  band(100_000, 499_999, 5_000),
  band(500_000, 999_999, 10_000),
  band(1_000_000, 4_999_999, 50_000),
  band(5_000_000, null, 100_000),
]);

function band(fromPrice: number, toPrice: number | null, increment: number): IncrementBand {
  return Object.freeze({ fromPrice, toPrice, increment });
}

export function minimumIncrement(price: number): number {
  const match = incrementTable.findLast((b) => price >= b.fromPrice);
  if (!match) throw new RangeError(`No increment band for price ${price}`);
  return match.increment;
}

/** The least the next bid may offer: the start price until someone bids, then one increment over the price. */
export function minimumNextBid(state: Pick<AuctionState, 'leaderId' | 'startPrice' | 'currentPrice'>): number {
  if (state.leaderId === null) return state.startPrice;
  return state.currentPrice + minimumIncrement(state.currentPrice);
}
