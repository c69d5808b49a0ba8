import test from 'ava';
import { resolveCancel } from '../../../domain/auctions/cancel-rules.ts';
import { anAuction, ENDS_AT, MIDWAY, seconds, throwsDomainError } from './fixtures.ts';

/** A seller cancels before the first bid at any time; with bids only until the cutoff before the end. */
const CUTOFF_S = 43_200;
const withBids = { leaderId: 'alice', leaderMaxAmount: 20_000, currentPrice: 10_000, bidCount: 1 };

test('the seller cancels an auction without bids at any time before its end: closed, cancelled, ending now', (t) => {
  const lastSecond = seconds(ENDS_AT, -1);
  t.deepEqual(resolveCancel(anAuction(), 'seller', lastSecond, CUTOFF_S), {
    next: { ...anAuction(), status: 'closed', outcome: 'cancelled', endsAt: lastSecond },
  });
});

test('with bids, the seller cancels until the cutoff before the end, and not a millisecond after', (t) => {
  const atCutoff = seconds(ENDS_AT, -CUTOFF_S);
  t.like(resolveCancel(anAuction(withBids), 'seller', atCutoff, CUTOFF_S).next, { status: 'closed', outcome: 'cancelled', endsAt: atCutoff, leaderId: 'alice' });
  const error = throwsDomainError(t, () => resolveCancel(anAuction(withBids), 'seller', seconds(atCutoff, 0.001), CUTOFF_S), 'conflict', 'cancel-too-late');
  t.deepEqual(error?.extras, { cutoffS: CUTOFF_S, endsAt: ENDS_AT.toISOString() });
  t.regex(error?.message ?? '', /43200 seconds before its end/);
});

test('only the seller cancels', (t) => {
  throwsDomainError(t, () => resolveCancel(anAuction(), 'alice', MIDWAY, CUTOFF_S), 'forbidden', 'not-auction-seller');
});

test('an auction already ended, sold or cancelled cannot be cancelled', (t) => {
  throwsDomainError(t, () => resolveCancel(anAuction(), 'seller', ENDS_AT, CUTOFF_S), 'conflict', 'auction-closed');
  throwsDomainError(t, () => resolveCancel(anAuction({ ...withBids, status: 'closed', outcome: 'sold' }), 'seller', MIDWAY, CUTOFF_S), 'conflict', 'auction-closed');
  throwsDomainError(t, () => resolveCancel(anAuction({ status: 'closed', outcome: 'cancelled' }), 'seller', MIDWAY, CUTOFF_S), 'conflict', 'auction-cancelled');
});
