import test from 'ava';
import fc from 'fast-check';
import type { EntityManager } from '@mikro-orm/postgresql';
import { incrementTable, minimumNextBid } from '../../domain/auctions/increment-table.ts';
import { resolveBid } from '../../domain/auctions/place-bid-rules.ts';
import type { FollowUpDispatcher } from '../../domain/follow-ups/follow-ups.ts';
import { createFixedPriceListing } from '../../domain/listings/create-listing.ts';
import { updateListing } from '../../domain/listings/update-listing.ts';
import { isPrice, MAX_PRICE, MAX_WON } from '../../domain/shared/money.ts';
import { anAuction, MIDWAY, settings, throwsDomainError } from './auctions/fixtures.ts';

/** The ceiling of money as the rules apply it, with no HTTP schema in front of them. */

const afterBid = (price: number) => ({ leaderId: 'leader', startPrice: 1, currentPrice: price });

test('for any price up to MAX_PRICE the minimum next bid is still an amount gavel shows, and MAX_PRICE is the largest such price', (t) => {
  const bandEdges = incrementTable.flatMap((band) => [band.fromPrice, band.toPrice ?? MAX_PRICE]).filter((p) => p > 0);
  for (const price of [...bandEdges, MAX_PRICE]) t.true(minimumNextBid(afterBid(price)) <= MAX_WON, String(price));
  fc.assert(fc.property(fc.integer({ min: 1, max: MAX_PRICE }), (price) => minimumNextBid(afterBid(price)) <= MAX_WON));
  // Tight: one won more and the next minimum bid could not be shown.
  t.is(minimumNextBid(afterBid(MAX_PRICE)), MAX_WON);
  t.true(minimumNextBid(afterBid(MAX_PRICE + 1)) > MAX_WON);
});

test('a price is whole won from the minimum to MAX_PRICE', (t) => {
  for (const value of [0, 1, MAX_PRICE]) t.true(isPrice(value), String(value));
  for (const value of [-1, 0.5, MAX_PRICE + 1, MAX_WON, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) t.false(isPrice(value), String(value));
  t.false(isPrice(0, 1));
});

test('the bid rules refuse an amount or a maximum above MAX_PRICE, and take one at MAX_PRICE', (t) => {
  const open = anAuction();
  const bid = (amount: number, maxAmount?: number) => () => resolveBid(open, { bidderId: 'ann', amount, maxAmount }, settings, MIDWAY);
  throwsDomainError(t, bid(MAX_PRICE + 1), 'invalid', 'invalid-bid-amount');
  throwsDomainError(t, bid(MAX_WON), 'invalid', 'invalid-bid-amount');
  throwsDomainError(t, bid(10_000, MAX_PRICE + 1), 'invalid', 'invalid-max-amount');
  t.is(bid(MAX_PRICE)().next.currentPrice, MAX_PRICE);
  t.is(bid(10_000, MAX_PRICE)().next.leaderMaxAmount, MAX_PRICE);

  // The leader raising their own maximum meets the same ceiling.
  const led = bid(10_000, 20_000)().next;
  throwsDomainError(t, () => resolveBid(led, { bidderId: 'ann', amount: 10_000, maxAmount: MAX_PRICE + 1 }, settings, MIDWAY), 'invalid', 'invalid-max-amount');
});

// Refused before the database is touched: these stand-ins would fail any query with a TypeError.
const noDatabase = {} as EntityManager;
const noFollowUps = {} as FollowUpDispatcher;
const content = { title: '의자', description: '', categoryId: 1, imageUrls: [] };

test('a fixed-price listing above MAX_PRICE is refused by the use case itself', async (t) => {
  for (const price of [MAX_PRICE + 1, -1, 1.5]) {
    const error = await t.throwsAsync(createFixedPriceListing(noDatabase, noFollowUps, 'seller', { ...content, price }), { code: 'invalid-price' });
    t.regex(error?.message ?? '', new RegExp(String(MAX_PRICE)));
  }
});

test('a PATCH to a price above MAX_PRICE is refused by the use case itself', async (t) => {
  await t.throwsAsync(updateListing(noDatabase, noFollowUps, 'seller', 'listing', { price: MAX_PRICE + 1 }), { code: 'invalid-price' });
});
