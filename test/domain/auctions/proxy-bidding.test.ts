import test from 'ava';
import { resolveBid } from '../../../domain/auctions/place-bid-rules.ts';
import { anAuction, MIDWAY, placeAll, settings, throwsDomainError } from './fixtures.ts';

test('between two proxies the winner pays one increment over the other maximum', (t) => {
  const { state, rows } = placeAll(anAuction(), [
    { bidderId: 'alice', amount: 10_000, maxAmount: 30_000 },
    { bidderId: 'bob', amount: 11_000, maxAmount: 50_000 },
  ]);
  t.deepEqual(rows, [
    { bidderId: 'alice', amount: 10_000, maxAmount: 30_000, kind: 'bid' },
    { bidderId: 'alice', amount: 30_000, maxAmount: 30_000, kind: 'proxy' },
    { bidderId: 'bob', amount: 31_000, maxAmount: 50_000, kind: 'bid' },
  ]);
  t.like(state, { leaderId: 'bob', leaderMaxAmount: 50_000, currentPrice: 31_000, bidCount: 3 });
});

test('a new leader never pays more than their own maximum', (t) => {
  const { state } = placeAll(anAuction(), [
    { bidderId: 'alice', amount: 10_000, maxAmount: 30_000 },
    { bidderId: 'bob', amount: 11_000, maxAmount: 30_500 },
  ]);
  t.like(state, { leaderId: 'bob', currentPrice: 30_500 });
});

test('a new leader pays their amount when it is above one increment over the old maximum', (t) => {
  const { state, rows } = placeAll(anAuction(), [
    { bidderId: 'alice', amount: 10_000, maxAmount: 30_000 },
    { bidderId: 'bob', amount: 40_000, maxAmount: 50_000 },
  ]);
  t.like(state, { leaderId: 'bob', currentPrice: 40_000 });
  t.deepEqual(rows.at(-1), { bidderId: 'bob', amount: 40_000, maxAmount: 50_000, kind: 'bid' });
});

test('a plain bid over a plain leader adds no proxy row', (t) => {
  const { state, rows } = placeAll(anAuction(), [
    { bidderId: 'alice', amount: 10_000 },
    { bidderId: 'bob', amount: 12_000 },
  ]);
  t.deepEqual(rows, [
    { bidderId: 'alice', amount: 10_000, maxAmount: null, kind: 'bid' },
    { bidderId: 'bob', amount: 12_000, maxAmount: null, kind: 'bid' },
  ]);
  t.like(state, { leaderId: 'bob', leaderMaxAmount: 12_000, currentPrice: 12_000, bidCount: 2 });
});

test('a plain bid below the leader maximum only raises the price; the leader stays', (t) => {
  const { state, rows } = placeAll(anAuction(), [
    { bidderId: 'alice', amount: 10_000, maxAmount: 30_000 },
    { bidderId: 'bob', amount: 15_000 },
  ]);
  t.deepEqual(rows.slice(1), [
    { bidderId: 'bob', amount: 15_000, maxAmount: null, kind: 'bid' },
    { bidderId: 'alice', amount: 16_000, maxAmount: 30_000, kind: 'proxy' },
  ]);
  t.like(state, { leaderId: 'alice', leaderMaxAmount: 30_000, currentPrice: 16_000, bidCount: 3 });
});

test('a losing proxy is answered at one increment over its maximum', (t) => {
  const { state, rows } = placeAll(anAuction(), [
    { bidderId: 'alice', amount: 10_000, maxAmount: 60_000 },
    { bidderId: 'bob', amount: 11_000, maxAmount: 49_500 },
  ]);
  t.deepEqual(rows.slice(1), [
    { bidderId: 'bob', amount: 49_500, maxAmount: 49_500, kind: 'bid' },
    { bidderId: 'alice', amount: 50_500, maxAmount: 60_000, kind: 'proxy' },
  ]);
  t.like(state, { leaderId: 'alice', currentPrice: 50_500 });
});

test('the leader answers a close challenger at most at their own maximum', (t) => {
  const { state, rows } = placeAll(anAuction(), [
    { bidderId: 'alice', amount: 10_000, maxAmount: 30_000 },
    { bidderId: 'bob', amount: 29_500 },
  ]);
  t.deepEqual(rows.at(-1), { bidderId: 'alice', amount: 30_000, maxAmount: 30_000, kind: 'proxy' });
  t.like(state, { leaderId: 'alice', currentPrice: 30_000 });
});

test('a tie goes to the earlier bid', (t) => {
  const { state, rows } = placeAll(anAuction(), [
    { bidderId: 'alice', amount: 10_000, maxAmount: 30_000 },
    { bidderId: 'bob', amount: 11_000, maxAmount: 30_000 },
  ]);
  t.deepEqual(rows.slice(1), [
    { bidderId: 'bob', amount: 30_000, maxAmount: 30_000, kind: 'bid' },
    { bidderId: 'alice', amount: 30_000, maxAmount: 30_000, kind: 'proxy' },
  ]);
  t.like(state, { leaderId: 'alice', leaderMaxAmount: 30_000, currentPrice: 30_000, bidCount: 3 });
});

test('the leader raising their maximum leaves the price and bid count alone', (t) => {
  const { state, rows } = placeAll(anAuction(), [
    { bidderId: 'alice', amount: 10_000, maxAmount: 30_000 },
    { bidderId: 'bob', amount: 15_000 },
    { bidderId: 'alice', amount: 50_000 },
  ]);
  t.deepEqual(rows.at(-1), { bidderId: 'alice', amount: 16_000, maxAmount: 50_000, kind: 'max_raise' });
  t.like(state, { leaderId: 'alice', leaderMaxAmount: 50_000, currentPrice: 16_000, bidCount: 3 });
});

test('the leader may raise through maxAmount with any amount', (t) => {
  const led = anAuction({ leaderId: 'alice', leaderMaxAmount: 30_000, currentPrice: 10_000, bidCount: 1 });
  const { next } = resolveBid(led, { bidderId: 'alice', amount: 100, maxAmount: 45_000 }, settings, MIDWAY);
  t.like(next, { leaderMaxAmount: 45_000, currentPrice: 10_000, bidCount: 1 });
});

test('a leader bid that does not raise their maximum is refused', (t) => {
  const led = anAuction({ leaderId: 'alice', leaderMaxAmount: 30_000, currentPrice: 10_000, bidCount: 1 });
  throwsDomainError(t, () => resolveBid(led, { bidderId: 'alice', amount: 30_000 }, settings, MIDWAY), 'unprocessable', 'max-not-raised');
  throwsDomainError(t, () => resolveBid(led, { bidderId: 'alice', amount: 11_000 }, settings, MIDWAY), 'unprocessable', 'max-not-raised');
});

test('a first maximum at or above the reserve lifts the price to the reserve', (t) => {
  const { state, rows } = placeAll(anAuction({ reservePrice: 50_000 }), [{ bidderId: 'alice', amount: 10_000, maxAmount: 80_000 }]);
  t.deepEqual(rows, [{ bidderId: 'alice', amount: 50_000, maxAmount: 80_000, kind: 'bid' }]);
  t.like(state, { currentPrice: 50_000, leaderMaxAmount: 80_000, bidCount: 1 });
  t.is(placeAll(anAuction({ reservePrice: 50_000 }), [{ bidderId: 'alice', amount: 10_000, maxAmount: 50_000 }]).state.currentPrice, 50_000);
});

test('a maximum below the reserve leaves the price where bidding put it', (t) => {
  const { state } = placeAll(anAuction({ reservePrice: 50_000 }), [{ bidderId: 'alice', amount: 10_000, maxAmount: 49_999 }]);
  t.is(state.currentPrice, 10_000);
});

test('a challenger whose maximum passes the reserve takes the lead at the reserve', (t) => {
  const { state, rows } = placeAll(anAuction({ reservePrice: 50_000 }), [
    { bidderId: 'alice', amount: 10_000, maxAmount: 40_000 },
    { bidderId: 'bob', amount: 11_000, maxAmount: 60_000 },
  ]);
  t.deepEqual(rows.slice(1), [
    { bidderId: 'alice', amount: 40_000, maxAmount: 40_000, kind: 'proxy' },
    { bidderId: 'bob', amount: 50_000, maxAmount: 60_000, kind: 'bid' },
  ]);
  t.like(state, { leaderId: 'bob', currentPrice: 50_000, bidCount: 3 });
});

test('the leader raising their maximum past the reserve lifts the price without counting a bid', (t) => {
  const { state, rows } = placeAll(anAuction({ reservePrice: 50_000 }), [
    { bidderId: 'alice', amount: 10_000, maxAmount: 40_000 },
    { bidderId: 'alice', amount: 70_000 },
  ]);
  t.deepEqual(rows.at(-1), { bidderId: 'alice', amount: 50_000, maxAmount: 70_000, kind: 'max_raise' });
  t.like(state, { currentPrice: 50_000, bidCount: 1 });
});
