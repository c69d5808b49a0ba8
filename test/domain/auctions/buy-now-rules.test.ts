import test from 'ava';
import { buyNowAvailable, resolveBuyNow } from '../../../domain/auctions/buy-now-rules.ts';
import { anAuction, ENDS_AT, MIDWAY, seconds, STARTS_AT, throwsDomainError } from './fixtures.ts';

const withBuyNow = anAuction({ buyNowPrice: 100_000 });

test('buy-now closes the auction, sold to the buyer at the buy-now price, ending now', (t) => {
  const { next } = resolveBuyNow(withBuyNow, 'carol', MIDWAY);
  t.like(next, {
    status: 'closed',
    outcome: 'sold',
    leaderId: 'carol',
    leaderMaxAmount: 100_000,
    currentPrice: 100_000,
    bidCount: 0,
    originalEndsAt: ENDS_AT,
  });
  t.deepEqual(next.endsAt, MIDWAY);
});

test('buy-now ends with the first bid, whatever its price: a leader whose maximum passes buy-now cannot be bought out', (t) => {
  const bidOn = anAuction({ buyNowPrice: 100_000, leaderId: 'alice', leaderMaxAmount: 150_000, currentPrice: 20_000, bidCount: 1 });
  t.false(buyNowAvailable(bidOn, MIDWAY));
  throwsDomainError(t, () => resolveBuyNow(bidOn, 'carol', MIDWAY), 'conflict', 'buy-now-unavailable');
  t.true(buyNowAvailable(withBuyNow, MIDWAY), 'before any bid it is offered');
});

test('with a reserve, buy-now stays until a bid meets the reserve, and overrides the bids below it', (t) => {
  const below = anAuction({ buyNowPrice: 100_000, reservePrice: 50_000, leaderId: 'alice', leaderMaxAmount: 40_000, currentPrice: 30_000, bidCount: 4 });
  t.true(buyNowAvailable(below, MIDWAY));
  t.like(resolveBuyNow(below, 'carol', MIDWAY).next, { leaderId: 'carol', currentPrice: 100_000, bidCount: 4 });
  const met = anAuction({ buyNowPrice: 100_000, reservePrice: 50_000, leaderId: 'alice', leaderMaxAmount: 60_000, currentPrice: 50_000, bidCount: 5 });
  t.false(buyNowAvailable(met, MIDWAY));
  throwsDomainError(t, () => resolveBuyNow(met, 'carol', MIDWAY), 'conflict', 'buy-now-unavailable');
});

test('buy-now is not offered outside the auction’s open time', (t) => {
  t.false(buyNowAvailable(withBuyNow, seconds(STARTS_AT, -1)));
  t.false(buyNowAvailable(withBuyNow, ENDS_AT));
});

test('buy-now is unavailable without a buy-now price', (t) => {
  throwsDomainError(t, () => resolveBuyNow(anAuction(), 'carol', MIDWAY), 'conflict', 'buy-now-unavailable');
});

test('buy-now is unavailable once bidding reaches its price', (t) => {
  const reached = anAuction({ buyNowPrice: 100_000, leaderId: 'alice', leaderMaxAmount: 100_000, currentPrice: 100_000, bidCount: 3 });
  throwsDomainError(t, () => resolveBuyNow(reached, 'carol', MIDWAY), 'conflict', 'buy-now-unavailable');
  const passed = anAuction({ buyNowPrice: 100_000, leaderId: 'alice', leaderMaxAmount: 130_000, currentPrice: 120_000, bidCount: 5 });
  throwsDomainError(t, () => resolveBuyNow(passed, 'carol', MIDWAY), 'conflict', 'buy-now-unavailable');
});

test('the seller cannot buy their own auction', (t) => {
  throwsDomainError(t, () => resolveBuyNow(withBuyNow, 'seller', MIDWAY), 'forbidden', 'own-auction');
});

test('buy-now needs an open auction', (t) => {
  throwsDomainError(t, () => resolveBuyNow(withBuyNow, 'carol', seconds(STARTS_AT, -1)), 'conflict', 'auction-not-started');
  throwsDomainError(t, () => resolveBuyNow(withBuyNow, 'carol', ENDS_AT), 'conflict', 'auction-closed');
  const sold = anAuction({ buyNowPrice: 100_000, status: 'closed', outcome: 'sold' });
  throwsDomainError(t, () => resolveBuyNow(sold, 'carol', MIDWAY), 'conflict', 'auction-closed');
  const cancelled = anAuction({ buyNowPrice: 100_000, status: 'closed', outcome: 'cancelled' });
  throwsDomainError(t, () => resolveBuyNow(cancelled, 'carol', MIDWAY), 'conflict', 'auction-cancelled');
});
