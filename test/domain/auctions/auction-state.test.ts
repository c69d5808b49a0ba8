import test from 'ava';
import { effectiveStatus, newAuctionState } from '../../../domain/auctions/auction-state.ts';
import { anAuction, ENDS_AT, MIDWAY, seconds, STARTS_AT } from './fixtures.ts';

test('an auction is scheduled until its start, open from its start, closed from its end', (t) => {
  const auction = anAuction({ status: 'scheduled' });
  t.is(effectiveStatus(auction, seconds(STARTS_AT, -0.001)), 'scheduled');
  t.is(effectiveStatus(auction, STARTS_AT), 'open');
  t.is(effectiveStatus(auction, seconds(ENDS_AT, -0.001)), 'open');
  t.is(effectiveStatus(auction, ENDS_AT), 'closed');
  t.is(effectiveStatus(auction, seconds(ENDS_AT, 3600)), 'closed');
});

test('the clock wins over a stored status that lags behind it', (t) => {
  t.is(effectiveStatus(anAuction({ status: 'scheduled' }), MIDWAY), 'open');
  t.is(effectiveStatus(anAuction({ status: 'open' }), seconds(ENDS_AT, 1)), 'closed');
});

test('a closed or decided auction stays closed before its end time', (t) => {
  t.is(effectiveStatus(anAuction({ status: 'closed', outcome: 'sold' }), MIDWAY), 'closed');
  t.is(effectiveStatus(anAuction({ status: 'closed' }), MIDWAY), 'closed');
  t.is(effectiveStatus(anAuction({ status: 'open', outcome: 'cancelled' }), MIDWAY), 'closed');
});

test('a new auction starts at its start price with no bids and remembers its original end', (t) => {
  const terms = { startPrice: 5_000, startsAt: STARTS_AT, endsAt: ENDS_AT, buyNowPrice: 90_000, reservePrice: 20_000 };
  const state = newAuctionState({ id: 'a-9', sellerId: 'seller', terms }, seconds(STARTS_AT, -60));
  t.deepEqual(state, {
    id: 'a-9',
    sellerId: 'seller',
    status: 'scheduled',
    outcome: null,
    startPrice: 5_000,
    currentPrice: 5_000,
    leaderId: null,
    leaderMaxAmount: null,
    bidCount: 0,
    startsAt: STARTS_AT,
    endsAt: ENDS_AT,
    originalEndsAt: ENDS_AT,
    buyNowPrice: 90_000,
    reservePrice: 20_000,
  });
});

test('a new auction starting now is open at once', (t) => {
  const terms = { startPrice: 5_000, startsAt: STARTS_AT, endsAt: ENDS_AT, buyNowPrice: null, reservePrice: null };
  t.is(newAuctionState({ id: 'a-9', sellerId: 'seller', terms }, STARTS_AT).status, 'open');
});
