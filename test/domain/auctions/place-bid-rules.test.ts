import test from 'ava';
import { resolveBid } from '../../../domain/auctions/place-bid-rules.ts';
import type { BidRequest } from '../../../domain/auctions/place-bid-rules.ts';
import type { AuctionState } from '../../../domain/auctions/auction-state.ts';
import { anAuction, ENDS_AT, MIDWAY, seconds, settings, STARTS_AT, throwsDomainError } from './fixtures.ts';

const bid = (state: AuctionState, request: BidRequest, now = MIDWAY) => () => resolveBid(state, request, settings, now);
const alice = (amount: number, maxAmount?: number): BidRequest => ({ bidderId: 'alice', amount, maxAmount });

test('bidding before the start is refused', (t) => {
  const error = throwsDomainError(t, bid(anAuction({ status: 'scheduled' }), alice(10_000), seconds(STARTS_AT, -1)), 'conflict', 'auction-not-started');
  t.deepEqual(error?.extras, { startsAt: STARTS_AT.toISOString() });
});

test('bidding at or after the end is refused, whatever the stored status says', (t) => {
  throwsDomainError(t, bid(anAuction(), alice(10_000), ENDS_AT), 'conflict', 'auction-closed');
  throwsDomainError(t, bid(anAuction(), alice(10_000), seconds(ENDS_AT, 30)), 'conflict', 'auction-closed');
});

test('bidding on a closed or sold auction is refused before its end time', (t) => {
  throwsDomainError(t, bid(anAuction({ status: 'closed', outcome: 'sold' }), alice(10_000)), 'conflict', 'auction-closed');
});

test('bidding on a cancelled auction is refused with its own code', (t) => {
  throwsDomainError(t, bid(anAuction({ status: 'closed', outcome: 'cancelled' }), alice(10_000)), 'conflict', 'auction-cancelled');
});

test('the seller cannot bid on their own auction', (t) => {
  throwsDomainError(t, bid(anAuction(), { bidderId: 'seller', amount: 10_000 }), 'forbidden', 'own-auction');
});

for (const amount of [0, -10_000, 10_000.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
  test(`an amount of ${amount} is invalid`, (t) => {
    throwsDomainError(t, bid(anAuction(), alice(amount)), 'invalid', 'invalid-bid-amount');
  });
}

test('a maximum must be whole won and not below the amount', (t) => {
  throwsDomainError(t, bid(anAuction(), alice(10_000, 20_000.5)), 'invalid', 'invalid-max-amount');
  throwsDomainError(t, bid(anAuction(), alice(10_000, 0)), 'invalid', 'invalid-max-amount');
  throwsDomainError(t, bid(anAuction(), alice(10_000, 9_999)), 'invalid', 'max-below-amount');
});

test('a first bid below the start price is too low and names the minimum, also as a maximum below it', (t) => {
  const error = throwsDomainError(t, bid(anAuction(), alice(9_999)), 'unprocessable', 'bid-too-low');
  t.deepEqual(error?.extras, { minimumBid: 10_000 });
  throwsDomainError(t, bid(anAuction(), alice(5_000, 9_999)), 'unprocessable', 'bid-too-low');
  throwsDomainError(t, bid(anAuction(), { bidderId: 'alice', maxAmount: 9_999 }), 'unprocessable', 'bid-too-low');
});

test('a proxy bid below the minimum, or with a maximum alone, opens at the least that is needed', (t) => {
  t.like(bid(anAuction(), alice(9_999, 50_000))(), { next: { currentPrice: 10_000, leaderId: 'alice', leaderMaxAmount: 50_000 } });
  t.like(bid(anAuction(), { bidderId: 'alice', maxAmount: 50_000 })(), { next: { currentPrice: 10_000, leaderMaxAmount: 50_000 } });
  const led = anAuction({ leaderId: 'bob', leaderMaxAmount: 20_000, currentPrice: 15_000, bidCount: 2 });
  t.like(bid(led, { bidderId: 'alice', amount: 1_000, maxAmount: 30_000 })(), { next: { leaderId: 'alice', currentPrice: 21_000 } });
  t.like(bid(led, { bidderId: 'alice', maxAmount: 18_000 })(), { next: { leaderId: 'bob', currentPrice: 19_000 } });
  throwsDomainError(t, bid(anAuction(), { bidderId: 'alice' }), 'invalid', 'bid-amount-missing');
});

test('a later bid must add at least one increment', (t) => {
  const led = anAuction({ leaderId: 'bob', leaderMaxAmount: 20_000, currentPrice: 20_000, bidCount: 1 });
  const error = throwsDomainError(t, bid(led, alice(20_999)), 'unprocessable', 'bid-too-low');
  t.deepEqual(error?.extras, { minimumBid: 21_000 });
  t.notThrows(bid(led, alice(21_000)));
});

test('a first bid at the start price leads at that price', (t) => {
  const { bids, next, extended } = resolveBid(anAuction(), alice(10_000), settings, MIDWAY);
  t.deepEqual(bids, [{ bidderId: 'alice', amount: 10_000, maxAmount: null, kind: 'bid' }]);
  t.like(next, { leaderId: 'alice', leaderMaxAmount: 10_000, currentPrice: 10_000, bidCount: 1, endsAt: ENDS_AT });
  t.false(extended);
});

test('a first bid above the start price sets the price to the amount, not the start price', (t) => {
  const { bids, next } = resolveBid(anAuction(), alice(15_000, 40_000), settings, MIDWAY);
  t.deepEqual(bids, [{ bidderId: 'alice', amount: 15_000, maxAmount: 40_000, kind: 'bid' }]);
  t.like(next, { leaderId: 'alice', leaderMaxAmount: 40_000, currentPrice: 15_000, bidCount: 1 });
});

test('an accepted bid marks an auction whose stored status lags the clock as open', (t) => {
  const { next } = resolveBid(anAuction({ status: 'scheduled' }), alice(10_000), settings, STARTS_AT);
  t.is(next.status, 'open');
});

test('the input state is left untouched and other fields are carried over', (t) => {
  const state = anAuction({ buyNowPrice: 90_000, id: 'auction-7' });
  const { next } = resolveBid(state, alice(10_000), settings, MIDWAY);
  t.is(state.leaderId, null);
  t.like(next, { id: 'auction-7', sellerId: 'seller', buyNowPrice: 90_000, startPrice: 10_000, originalEndsAt: ENDS_AT, outcome: null });
});

test('a bid inside the soft-close window extends the auction', (t) => {
  const now = seconds(ENDS_AT, -20);
  const { next, extended } = resolveBid(anAuction(), alice(10_000), settings, now);
  t.true(extended);
  t.deepEqual(next.endsAt, seconds(now, 60));
  t.deepEqual(next.originalEndsAt, ENDS_AT);
});

test('a bid inside the window of an extended auction still respects the cap', (t) => {
  const extendedState = anAuction({ endsAt: seconds(ENDS_AT, 590) });
  const { next, extended } = resolveBid(extendedState, alice(10_000), settings, seconds(ENDS_AT, 580));
  t.true(extended);
  t.deepEqual(next.endsAt, seconds(ENDS_AT, settings.softCloseMaxExtensionS));
});

test('soft close is off when its window is 0', (t) => {
  const { next, extended } = resolveBid(anAuction(), alice(10_000), { ...settings, softCloseWindowS: 0 }, seconds(ENDS_AT, -1));
  t.false(extended);
  t.deepEqual(next.endsAt, ENDS_AT);
});

test('a leader raising their own hidden maximum does not extend the auction', (t) => {
  const led = anAuction({ leaderId: 'alice', leaderMaxAmount: 20_000, currentPrice: 10_000, bidCount: 1 });
  const { next, extended } = resolveBid(led, alice(30_000), settings, seconds(ENDS_AT, -5));
  t.false(extended);
  t.deepEqual(next.endsAt, ENDS_AT);
});

test('a leader raise that lifts the price to the reserve extends the auction', (t) => {
  const led = anAuction({ leaderId: 'alice', leaderMaxAmount: 20_000, currentPrice: 10_000, bidCount: 1, reservePrice: 25_000 });
  const now = seconds(ENDS_AT, -5);
  const { next, extended } = resolveBid(led, alice(30_000), settings, now);
  t.true(extended);
  t.deepEqual(next.endsAt, seconds(now, 60));
});
