import { auctionViewFor } from './auction-view-for.ts';
import type { AuctionState } from './auction-state.ts';
import type { PlacedBid } from './place-bid.ts';
import type { NewBid } from './place-bid-rules.ts';

/**
 * The answer to an accepted bid, pure so that a property test can hold it to the published
 * PlacedBid schema: the bidder's own row (never a proxy row the engine placed), whether they lead
 * once every proxy bid has run, and the auction as they now see it.
 */
export function placedBidView(next: AuctionState, bids: readonly (NewBid & { id: string })[], bidderId: string, listingId: string, now: Date): PlacedBid {
  const own = bids.findLast((bid) => bid.bidderId === bidderId && bid.kind !== 'proxy')!;
  return {
    bid: { id: own.id, auctionId: next.id, amount: own.amount, maxAmount: own.maxAmount, kind: own.kind, createdAt: now.toISOString() },
    leading: next.leaderId === bidderId,
    auction: auctionViewFor(next, listingId, now, bidderId),
  };
}
