import { reserveMet as reserveMetBy, type AuctionState } from './auction-state.ts';

export type CloseDecision =
  | { readonly result: 'not-due' }
  | { readonly result: 'already-closed' }
  | {
      readonly result: 'closed';
      readonly next: AuctionState;
      readonly outcome: 'sold' | 'unsold';
      readonly winnerId: string | null;
      /** False when a reserve exists and the price did not reach it, so the seller can be told. */
      readonly reserveMet: boolean;
      readonly unsoldReason: 'no-bids' | 'reserve-not-met' | null;
    };

/** What a closing worker should do; "nothing to do" is a result, not an error, so jobs do not retry. */
export function resolveClose(state: AuctionState, now: Date): CloseDecision {
  if (state.status === 'closed' || state.outcome !== null) return { result: 'already-closed' };
  if (now.getTime() < state.endsAt.getTime()) return { result: 'not-due' };

  const hasBids = state.leaderId !== null;
  const reserveMet = reserveMetBy(state) !== false;
  const sold = hasBids && reserveMet;
  const outcome = sold ? 'sold' : 'unsold';
  return {
    result: 'closed',
    next: { ...state, status: 'closed', outcome },
    outcome,
    winnerId: sold ? state.leaderId : null,
    reserveMet,
    unsoldReason: sold ? null : hasBids ? 'reserve-not-met' : 'no-bids',
  };
}
