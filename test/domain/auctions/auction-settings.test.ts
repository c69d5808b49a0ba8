import test from 'ava';
import { START_IN_PAST_TOLERANCE_MS, validateNewAuction } from '../../../domain/auctions/auction-settings.ts';
import type { NewAuctionInput } from '../../../domain/auctions/auction-settings.ts';
import { MAX_PRICE, MAX_WON } from '../../../domain/shared/money.ts';
import { seconds, settings, throwsDomainError } from './fixtures.ts';

const NOW = new Date('2025-03-01T09:00:00.000Z');
const valid: NewAuctionInput = { startPrice: 10_000, endsAt: seconds(NOW, 3600) };
const validate = (overrides: Partial<NewAuctionInput>) => () => validateNewAuction({ ...valid, ...overrides }, settings, NOW);

test('a minimal auction starts now and has no buy-now or reserve price', (t) => {
  t.deepEqual(validateNewAuction(valid, settings, NOW), {
    startPrice: 10_000,
    startsAt: NOW,
    endsAt: seconds(NOW, 3600),
    buyNowPrice: null,
    reservePrice: null,
  });
});

test('a full auction keeps its terms', (t) => {
  const input = { startPrice: 10_000, startsAt: seconds(NOW, 600), endsAt: seconds(NOW, 7200), buyNowPrice: 80_000, reservePrice: 50_000 };
  t.deepEqual(validateNewAuction(input, settings, NOW), input);
});

for (const startPrice of [0, -1_000, 1_000.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
  test(`start price ${startPrice} is rejected`, (t) => {
    throwsDomainError(t, validate({ startPrice }), 'invalid', 'invalid-start-price');
  });
}

test('buy-now and reserve prices must be positive whole won', (t) => {
  throwsDomainError(t, validate({ buyNowPrice: 20_000.5 }), 'invalid', 'invalid-buy-now-price');
  throwsDomainError(t, validate({ buyNowPrice: 0 }), 'invalid', 'invalid-buy-now-price');
  throwsDomainError(t, validate({ reservePrice: -1 }), 'invalid', 'invalid-reserve-price');
  throwsDomainError(t, validate({ reservePrice: Number.NaN }), 'invalid', 'invalid-reserve-price');
});

test('the reserve may equal but not undercut the start price', (t) => {
  t.is(validate({ reservePrice: 10_000 })().reservePrice, 10_000);
  throwsDomainError(t, validate({ reservePrice: 9_999 }), 'invalid', 'reserve-below-start-price');
});

test('the buy-now price must be above the start price', (t) => {
  t.is(validate({ buyNowPrice: 10_001 })().buyNowPrice, 10_001);
  throwsDomainError(t, validate({ buyNowPrice: 10_000 }), 'invalid', 'buy-now-not-above-start-price');
});

test('the buy-now price may equal but not undercut the reserve', (t) => {
  t.is(validate({ buyNowPrice: 50_000, reservePrice: 50_000 })().buyNowPrice, 50_000);
  throwsDomainError(t, validate({ buyNowPrice: 49_999, reservePrice: 50_000 }), 'invalid', 'buy-now-below-reserve-price');
});

test('a start slightly in the past is taken as now, further back it is rejected', (t) => {
  t.deepEqual(validate({ startsAt: new Date(NOW.getTime() - START_IN_PAST_TOLERANCE_MS) })().startsAt, NOW);
  throwsDomainError(
    t,
    validate({ startsAt: new Date(NOW.getTime() - START_IN_PAST_TOLERANCE_MS - 1) }),
    'invalid',
    'starts-at-in-past',
  );
});

test('invalid dates are rejected', (t) => {
  throwsDomainError(t, validate({ startsAt: new Date('not a date') }), 'invalid', 'invalid-starts-at');
  throwsDomainError(t, validate({ endsAt: new Date('not a date') }), 'invalid', 'invalid-ends-at');
});

test('the auction must run at least the minimum duration from now', (t) => {
  t.deepEqual(validate({ endsAt: seconds(NOW, 60) })().endsAt, seconds(NOW, 60));
  const error = throwsDomainError(t, validate({ endsAt: seconds(NOW, 59.999) }), 'invalid', 'auction-too-short');
  t.deepEqual(error?.extras, { minDurationS: 60 });
  throwsDomainError(t, validate({ endsAt: seconds(NOW, -3600) }), 'invalid', 'auction-too-short');
});

test('the minimum duration counts from a later start, not from now', (t) => {
  const startsAt = seconds(NOW, 3600);
  t.notThrows(validate({ startsAt, endsAt: seconds(startsAt, 60) }));
  throwsDomainError(t, validate({ startsAt, endsAt: seconds(startsAt, 30) }), 'invalid', 'auction-too-short');
});

test('the minimum duration comes from the settings', (t) => {
  const longer = { ...settings, minDurationS: 7200 };
  t.throws(() => validateNewAuction(valid, longer, NOW), { code: 'auction-too-short' });
});

test('every price term may reach MAX_PRICE and not one won more', (t) => {
  const top = { startPrice: MAX_PRICE - 2, reservePrice: MAX_PRICE - 1, buyNowPrice: MAX_PRICE };
  t.like(validate(top)(), top);
  throwsDomainError(t, validate({ startPrice: MAX_PRICE + 1 }), 'invalid', 'invalid-start-price');
  throwsDomainError(t, validate({ buyNowPrice: MAX_PRICE + 1 }), 'invalid', 'invalid-buy-now-price');
  throwsDomainError(t, validate({ reservePrice: MAX_PRICE + 1 }), 'invalid', 'invalid-reserve-price');
  const error = throwsDomainError(t, validate({ startPrice: MAX_WON }), 'invalid', 'invalid-start-price');
  t.regex(error?.message ?? '', new RegExp(String(MAX_PRICE)));
});

test('the auction may run at most the maximum duration, counted from its start', (t) => {
  const max = settings.maxDurationS;
  t.notThrows(validate({ endsAt: seconds(NOW, max) }));
  const error = throwsDomainError(t, validate({ endsAt: seconds(NOW, max + 0.001) }), 'invalid', 'auction-too-long');
  t.deepEqual(error?.extras, { maxDurationS: max });
  // The issue: an end in the year 9999 is no auction.
  throwsDomainError(t, validate({ endsAt: new Date('9999-12-31T00:00:00.000Z') }), 'invalid', 'auction-too-long');
  const startsAt = seconds(NOW, 3600);
  t.notThrows(validate({ startsAt, endsAt: seconds(startsAt, max) }));
  throwsDomainError(t, validate({ startsAt, endsAt: seconds(startsAt, max + 1) }), 'invalid', 'auction-too-long');
  t.throws(() => validateNewAuction(valid, { ...settings, maxDurationS: 1800 }, NOW), { code: 'auction-too-long' });
});

test('a start may be scheduled at most the maximum duration ahead, so no end lies further than two of them', (t) => {
  const max = settings.maxDurationS;
  const latest = seconds(NOW, max);
  t.deepEqual(validate({ startsAt: latest, endsAt: seconds(latest, max) })().startsAt, latest);
  const tooFar = seconds(NOW, max + 1);
  const error = throwsDomainError(t, validate({ startsAt: tooFar, endsAt: seconds(tooFar, 3600) }), 'invalid', 'starts-at-too-far');
  t.deepEqual(error?.extras, { maxDurationS: max });
  throwsDomainError(t, validate({ startsAt: new Date('9999-12-30T00:00:00.000Z'), endsAt: new Date('9999-12-31T00:00:00.000Z') }), 'invalid', 'starts-at-too-far');
});
