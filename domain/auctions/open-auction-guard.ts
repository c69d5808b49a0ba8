import { conflict, forbidden } from '../errors.ts';
import { effectiveStatus } from './auction-state.ts';
import type { AuctionState } from './auction-state.ts';

type Judged = Pick<AuctionState, 'status' | 'outcome' | 'startsAt' | 'endsAt'>;

export function assertNotClosed(state: Judged, now: Date): void {
  if (effectiveStatus(state, now) !== 'closed') return;
  if (state.outcome === 'cancelled') throw conflict('auction-cancelled', 'The auction was cancelled.');
  throw conflict('auction-closed', 'The auction has ended.', { endsAt: state.endsAt.toISOString() });
}

/** Bids and buy-now need an auction that is open at `now` and a user who is not its seller. */
export function assertOpenToBuyer(state: Judged & Pick<AuctionState, 'sellerId'>, userId: string, now: Date): void {
  assertNotClosed(state, now);
  if (effectiveStatus(state, now) === 'scheduled') {
    throw conflict('auction-not-started', 'The auction has not started yet.', { startsAt: state.startsAt.toISOString() });
  }
  if (userId === state.sellerId) throw forbidden('own-auction', 'Sellers cannot bid on or buy their own auction.');
}
