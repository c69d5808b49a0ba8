import test from 'ava';
import { incrementTable, minimumIncrement, minimumNextBid } from '../../../domain/auctions/increment-table.ts';
import type { IncrementBand } from '../../../domain/auctions/increment-table.ts';
import { anAuction } from './fixtures.ts';

const boundaries: ReadonlyArray<[price: number, increment: number]> = [
  [0, 500],
  [1, 500],
  [9_999, 500],
  [10_000, 1_000],
  [49_999, 1_000],
  [50_000, 2_000],
  [99_999, 2_000],
  [100_000, 5_000],
  [499_999, 5_000],
  [500_000, 10_000],
  [999_999, 10_000],
  [1_000_000, 50_000],
  [4_999_999, 50_000],
  [5_000_000, 100_000],
  [987_654_321, 100_000],
];

for (const [price, increment] of boundaries) {
  test(`the increment at ${price} won is ${increment}`, (t) => {
    t.is(minimumIncrement(price), increment);
  });
}

test('the published table covers every price once, from 0 upwards, with rising increments', (t) => {
  t.is(incrementTable[0]?.fromPrice, 0);
  t.is(incrementTable.at(-1)?.toPrice, null);
  for (let i = 1; i < incrementTable.length; i++) {
    const previous = incrementTable[i - 1]!;
    const band = incrementTable[i]!;
    t.is(band.fromPrice, (previous.toPrice ?? Number.NaN) + 1);
    t.true(band.increment > previous.increment);
  }
});

test('minimumIncrement agrees with the published table at both ends of every band', (t) => {
  for (const band of incrementTable) {
    t.is(minimumIncrement(band.fromPrice), band.increment);
    if (band.toPrice !== null) t.is(minimumIncrement(band.toPrice), band.increment);
  }
});

test('the published table cannot be changed at run time', (t) => {
  t.throws(() => (incrementTable as IncrementBand[]).push({ fromPrice: 1, toPrice: null, increment: 1 }));
  t.throws(() => {
    (incrementTable[0] as { increment: number }).increment = 1;
  });
});

test('a negative price has no band', (t) => {
  t.throws(() => minimumIncrement(-1), { instanceOf: RangeError });
});

test('before the first bid the minimum next bid is the start price', (t) => {
  t.is(minimumNextBid(anAuction({ startPrice: 12_345, currentPrice: 12_345 })), 12_345);
});

test('after a bid the minimum next bid is one increment over the current price, by its band', (t) => {
  t.is(minimumNextBid(anAuction({ leaderId: 'alice', currentPrice: 9_500 })), 10_000);
  t.is(minimumNextBid(anAuction({ leaderId: 'alice', currentPrice: 9_999 })), 10_499);
  t.is(minimumNextBid(anAuction({ leaderId: 'alice', currentPrice: 10_000 })), 11_000);
  t.is(minimumNextBid(anAuction({ leaderId: 'alice', currentPrice: 10_000, startPrice: 10_000 })), 11_000);
  t.is(minimumNextBid(anAuction({ leaderId: 'alice', currentPrice: 5_000_000 })), 5_100_000);
});
