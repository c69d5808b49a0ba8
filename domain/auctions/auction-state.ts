import type { NewAuctionTerms } from './auction-settings.ts';

export type AuctionStatus = 'scheduled' | 'open' | 'closed';
export type AuctionOutcome = 'sold' | 'unsold' | 'cancelled';

/** What the auction rules decide on. Money in whole KRW won, times in UTC. */
export type AuctionState = {
  readonly id: string;
  readonly sellerId: string;
  /** As stored; may lag the clock until a worker closes the auction, so judge by `effectiveStatus`. */
  readonly status: AuctionStatus;
  readonly outcome: AuctionOutcome | null;
  readonly startPrice: number;
  readonly currentPrice: number;
  readonly leaderId: string | null;
  /** The leader's secret proxy ceiling. Never send it to anyone, the leader included in public views. */
  readonly leaderMaxAmount: number | null;
  /** Counts 'bid' and 'proxy' rows, not 'max_raise'. */
  readonly bidCount: number;
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** The end as first scheduled; soft-close extensions are capped relative to it. */
  readonly originalEndsAt: Date;
  readonly buyNowPrice: number | null;
  readonly reservePrice: number | null;
};

export function effectiveStatus(
  state: Pick<AuctionState, 'status' | 'outcome' | 'startsAt' | 'endsAt'>,
  now: Date,
): AuctionStatus {
  if (state.status === 'closed' || state.outcome !== null) return 'closed';
  if (now.getTime() < state.startsAt.getTime()) return 'scheduled';
  if (now.getTime() >= state.endsAt.getTime()) return 'closed';
  return 'open';
}

/** The state of a freshly created auction, from terms already checked by `validateNewAuction`. */
export function newAuctionState(
  { id, sellerId, terms }: { id: string; sellerId: string; terms: NewAuctionTerms },
  now: Date,
): AuctionState {
  return {
    id,
    sellerId,
    status: now.getTime() < terms.startsAt.getTime() ? 'scheduled' : 'open',
    outcome: null,
    startPrice: terms.startPrice,
    currentPrice: terms.startPrice,
    leaderId: null,
    leaderMaxAmount: null,
    bidCount: 0,
    startsAt: terms.startsAt,
    endsAt: terms.endsAt,
    originalEndsAt: terms.endsAt,
    buyNowPrice: terms.buyNowPrice,
    reservePrice: terms.reservePrice,
  };
}

/**
 * Whether the price has reached the reserve: null without a reserve (nothing to meet), false
 * until someone leads at or above it. The one statement of the rule, for views, rows and closing.
 */
export function reserveMet(state: Pick<AuctionState, 'reservePrice' | 'leaderId' | 'currentPrice'>): boolean | null {
  if (state.reservePrice === null) return null;
  return state.leaderId !== null && state.currentPrice >= state.reservePrice;
}
