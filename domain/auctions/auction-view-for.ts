import type { AuctionState } from './auction-state.ts';
import { publicAuctionView } from './auction-view.ts';

/** The JSON shape of an auction for one viewer: the public view, plus their own maximum if they lead. */
export interface AuctionView {
  id: string;
  listingId: string;
  sellerId: string;
  status: AuctionState['status'];
  outcome: AuctionState['outcome'];
  startPrice: number;
  currentPrice: number;
  minimumBid: number;
  leaderId: string | null;
  bidCount: number;
  startsAt: string;
  endsAt: string;
  buyNowPrice: number | null;
  buyNowAvailable: boolean;
  reserveMet: boolean | null;
  /** Only for the leader looking at their own auction; null for everyone else. */
  myMaxAmount: number | null;
}

export function auctionViewFor(state: AuctionState, listingId: string, now: Date, viewerId?: string): AuctionView {
  const view = publicAuctionView(state, now);
  return {
    ...view,
    listingId,
    startsAt: view.startsAt.toISOString(),
    endsAt: view.endsAt.toISOString(),
    myMaxAmount: viewerId !== undefined && viewerId === state.leaderId ? state.leaderMaxAmount : null,
  };
}
