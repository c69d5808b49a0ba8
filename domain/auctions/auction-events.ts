import type { AuctionOutcome, AuctionState, AuctionStatus } from './auction-state.ts';
import { minimumNextBid } from './increment-table.ts';

/**
 * The one declaration of auction events: the bid engine writes them to the outbox, the relay
 * publishes them, SSE streams send them. `seq` is gapless per auction and becomes the SSE `id:`.
 */
export const AUCTION_EVENT_TYPES = ['bid', 'closed'] as const;
export type AuctionEventType = (typeof AUCTION_EVENT_TYPES)[number];

export interface AuctionEventData {
  auctionId: string;
  seq: number;
  type: AuctionEventType;
  status: AuctionStatus;
  outcome: AuctionOutcome | null;
  currentPrice: number;
  minimumBid: number;
  leaderId: string | null;
  bidCount: number;
  /** ISO-8601 UTC; moves when a late bid triggers the soft close. */
  endsAt: string;
  /** True when this event pushed `endsAt` out (anti-sniping). */
  extended: boolean;
  /** ISO-8601 UTC, by the database clock. */
  at: string;
}

/** The event a committed change publishes, numbered `seq` in the auction's own sequence. */
export function auctionEvent(type: AuctionEventType, state: AuctionState, seq: number, extended: boolean, at: Date): AuctionEventData {
  return {
    auctionId: state.id,
    seq,
    type,
    status: state.status,
    outcome: state.outcome,
    currentPrice: state.currentPrice,
    minimumBid: minimumNextBid(state),
    leaderId: state.leaderId,
    bidCount: state.bidCount,
    endsAt: state.endsAt.toISOString(),
    extended,
    at: at.toISOString(),
  };
}
