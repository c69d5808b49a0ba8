import { effectiveStatus, reserveMet } from './auction-state.ts';
import type { AuctionOutcome, AuctionState, AuctionStatus } from './auction-state.ts';
import { buyNowAvailable } from './buy-now-rules.ts';
import { minimumNextBid } from './increment-table.ts';

/** What anyone may see of an auction: never the leader's maximum or the reserve amount. */
export type PublicAuctionView = {
  readonly id: string;
  readonly sellerId: string;
  readonly status: AuctionStatus;
  readonly outcome: AuctionOutcome | null;
  readonly startPrice: number;
  readonly currentPrice: number;
  readonly minimumBid: number;
  readonly leaderId: string | null;
  readonly bidCount: number;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly buyNowPrice: number | null;
  readonly buyNowAvailable: boolean;
  /** Null when there is no reserve; the reserve amount itself stays secret. */
  readonly reserveMet: boolean | null;
};

export function publicAuctionView(state: AuctionState, now: Date): PublicAuctionView {
  const status = effectiveStatus(state, now);
  return {
    id: state.id,
    sellerId: state.sellerId,
    status,
    outcome: state.outcome,
    startPrice: state.startPrice,
    currentPrice: state.currentPrice,
    minimumBid: minimumNextBid(state),
    leaderId: state.leaderId,
    bidCount: state.bidCount,
    startsAt: state.startsAt,
    endsAt: state.endsAt,
    buyNowPrice: state.buyNowPrice,
    buyNowAvailable: buyNowAvailable(state, now),
    reserveMet: reserveMet(state),
  };
}
