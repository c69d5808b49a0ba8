import type { ExecutionContext } from 'ava';
import { DomainError } from '../../../domain/errors.ts';
import type { ErrorKind } from '../../../domain/errors.ts';
import type { AuctionSettings } from '../../../domain/auctions/auction-settings.ts';
import type { AuctionState } from '../../../domain/auctions/auction-state.ts';
import { resolveBid } from '../../../domain/auctions/place-bid-rules.ts';
import type { BidRequest, NewBid } from '../../../domain/auctions/place-bid-rules.ts';

export const STARTS_AT = new Date('2025-03-01T09:00:00.000Z');
export const ENDS_AT = new Date('2025-03-08T09:00:00.000Z');
export const MIDWAY = new Date('2025-03-04T12:00:00.000Z');

export const settings: AuctionSettings = { minDurationS: 60, maxDurationS: 30 * 86_400, softCloseWindowS: 60, softCloseMaxExtensionS: 600, cancelCutoffS: 43_200, offerTtlS: 172_800 };

export const seconds = (date: Date, s: number): Date => new Date(date.getTime() + s * 1000);

/** An open auction starting at 10,000 won with no bids; frozen so a rule that mutates its input fails. */
export function anAuction(overrides: Partial<AuctionState> = {}): AuctionState {
  return Object.freeze({
    id: 'auction-1',
    sellerId: 'seller',
    status: 'open',
    outcome: null,
    startPrice: 10_000,
    currentPrice: 10_000,
    leaderId: null,
    leaderMaxAmount: null,
    bidCount: 0,
    startsAt: STARTS_AT,
    endsAt: ENDS_AT,
    originalEndsAt: ENDS_AT,
    buyNowPrice: null,
    reservePrice: null,
    ...overrides,
  });
}

/** Places the bids one after another at `now`, returning the final state and every stored row. */
export function placeAll(state: AuctionState, requests: readonly BidRequest[], now = MIDWAY) {
  const rows: NewBid[] = [];
  for (const request of requests) {
    const { bids, next } = resolveBid(state, request, settings, now);
    rows.push(...bids);
    state = next;
  }
  return { state, rows };
}

export function throwsDomainError(t: ExecutionContext, fn: () => unknown, kind: ErrorKind, code: string): DomainError | undefined {
  const error = t.throws(fn, { instanceOf: DomainError, code });
  t.is(error?.kind, kind);
  return error;
}
