import test from 'ava';
import { startTestApi, type TestApi } from '../support/api.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('auctionlistings');
});
test.after.always(async () => {
  await app?.close();
});

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const content = { title: '빈티지 카메라 경매', description: '필름 카메라', categoryId: 1 };

test('an auction listing is created through POST /v1/listings and carries its auction', async (t) => {
  const seller = await app.signup();
  const endsAt = inAnHour();
  const res = await app.request('POST', '/v1/listings', {
    token: seller.accessToken,
    body: { ...content, auction: { startPrice: 30_000, endsAt, buyNowPrice: 90_000, reservePrice: 50_000 } },
  });
  t.is(res.status, 201);
  t.like(res.body, { saleType: 'auction', price: 30_000, status: 'on_sale', sellerId: seller.id });
  t.truthy(res.body.auctionId);
  const auction = await app.request('GET', `/v1/auctions/${res.body.auctionId}`);
  t.is(auction.status, 200);
  t.like(auction.body, { listingId: res.body.id, sellerId: seller.id, status: 'open', startPrice: 30_000, currentPrice: 30_000, minimumBid: 30_000, buyNowPrice: 90_000, reserveMet: false, bidCount: 0, endsAt });
  t.false('reservePrice' in auction.body);
  const fixed = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, price: 10_000 } });
  t.is(fixed.body.auctionId, null);
});

for (const [name, body, code] of [
  ['both a price and an auction', { ...content, price: 1000, auction: { startPrice: 1000, endsAt: '2099-01-01T00:00:00Z' } }, 'validation-failed'],
  ['neither a price nor an auction', { ...content }, 'validation-failed'],
  ['an end that is not a timestamp', { ...content, auction: { startPrice: 1000, endsAt: 'tomorrow' } }, 'validation-failed'],
  ['a zero start price', { ...content, auction: { startPrice: 0, endsAt: '2099-01-01T00:00:00Z' } }, 'validation-failed'],
  ['an unknown auction field', { ...content, auction: { startPrice: 1000, endsAt: '2099-01-01T00:00:00Z', currentPrice: 5 } }, 'validation-failed'],
  ['an auction shorter than the minimum', { ...content, auction: { startPrice: 1000, endsAt: new Date(Date.now() + 10_000).toISOString() } }, 'auction-too-short'],
  ['a reserve below the start price', { ...content, auction: { startPrice: 5000, reservePrice: 1000, endsAt: '2099-01-01T00:00:00Z' } }, 'reserve-below-start-price'],
  ['a buy-now price not above the start', { ...content, auction: { startPrice: 5000, buyNowPrice: 5000, endsAt: '2099-01-01T00:00:00Z' } }, 'buy-now-not-above-start-price'],
  // The issue: such an end was accepted, and a soft-close extension past it would not even be a showable time.
  ['an end on 9999-12-31', { ...content, auction: { startPrice: 1000, endsAt: '9999-12-31T00:00:00Z' } }, 'auction-too-long'],
  ['a start further ahead than AUCTION_MAX_DURATION_S', { ...content, auction: { startPrice: 1000, startsAt: '9999-12-30T00:00:00Z', endsAt: '9999-12-31T00:00:00Z' } }, 'starts-at-too-far'],
] as const) {
  test(`creating a listing with ${name} is a 400 (${code}) and writes nothing`, async (t) => {
    const seller = await app.signup();
    const res = await app.request('POST', '/v1/listings', { token: seller.accessToken, body });
    t.is(res.status, 400);
    t.is(res.body.type, `https://gavel.dev/problems/${code}`);
    const rows = await app.db.orm.em.fork().execute<any[]>('select count(*)::int as n from listings where seller_id = ?', [seller.id]);
    t.is(rows[0].n, 0);
  });
}

test("an auction listing's price and status follow the auction, not PATCH", async (t) => {
  const seller = await app.signup();
  const created = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: { startPrice: 10_000, endsAt: inAnHour() } } });
  const price = await app.request('PATCH', `/v1/listings/${created.body.id}`, { token: seller.accessToken, body: { price: 5 } });
  t.is(price.status, 409);
  t.is(price.body.type, 'https://gavel.dev/problems/price-set-by-auction');
  const status = await app.request('PATCH', `/v1/listings/${created.body.id}`, { token: seller.accessToken, body: { status: 'sold' } });
  t.is(status.status, 409);
  const title = await app.request('PATCH', `/v1/listings/${created.body.id}`, { token: seller.accessToken, body: { title: '새 제목' } });
  t.is(title.status, 200);
});

test('a bid moves the listing price, so price filters and sorts see the auction as it stands', async (t) => {
  const seller = await app.signup();
  const bidder = await app.signup();
  const created = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, title: '경매가격추적 zqxauction', auction: { startPrice: 10_000, endsAt: inAnHour() } } });
  const bid = await app.request('POST', `/v1/auctions/${created.body.auctionId}/bids`, { token: bidder.accessToken, body: { amount: 77_000 } });
  t.is(bid.status, 201);
  t.is((await app.request('GET', `/v1/listings/${created.body.id}`)).body.price, 77_000);
  const found = await app.request('GET', '/v1/listings?q=zqxauction&minPrice=70000&saleType=auction');
  t.deepEqual(found.body.items.map((i: { id: string }) => i.id), [created.body.id]);
});

test('an auction listing can be deleted before the first bid, not after', async (t) => {
  const seller = await app.signup();
  const bidder = await app.signup();
  const quiet = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: { startPrice: 10_000, endsAt: inAnHour() } } });
  t.is((await app.request('DELETE', `/v1/listings/${quiet.body.id}`, { token: seller.accessToken })).status, 204);
  t.is((await app.request('GET', `/v1/auctions/${quiet.body.auctionId}`)).status, 404);

  const busy = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: { startPrice: 10_000, endsAt: inAnHour() } } });
  t.is((await app.request('POST', `/v1/auctions/${busy.body.auctionId}/bids`, { token: bidder.accessToken, body: { amount: 10_000 } })).status, 201);
  const refused = await app.request('DELETE', `/v1/listings/${busy.body.id}`, { token: seller.accessToken });
  t.is(refused.status, 409);
  t.is(refused.body.type, 'https://gavel.dev/problems/auction-has-bids');
  t.is((await app.request('GET', `/v1/auctions/${busy.body.auctionId}`)).status, 200);
});

test('a fixed-price purchase of an auction listing is refused', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const created = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: { startPrice: 10_000, endsAt: inAnHour() } } });
  const res = await app.request('POST', `/v1/listings/${created.body.id}/purchase`, { token: buyer.accessToken });
  t.is(res.status, 409);
  t.is(res.body.type, 'https://gavel.dev/problems/not-fixed-price');
});

test('an auction may run AUCTION_MAX_DURATION_S (default 30 days) and not a minute longer; the problem names the limit', async (t) => {
  const seller = await app.signup();
  const DAY_MS = 86_400_000;
  const startsAt = new Date(Date.now() + 3_600_000);
  const terms = (days: number, extraMs = 0) => ({ startPrice: 1000, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + days * DAY_MS + extraMs).toISOString() });
  const longest = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: terms(30) } });
  t.is(longest.status, 201, JSON.stringify(longest.body));
  const longer = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: terms(30, 60_000) } });
  t.is(longer.status, 400);
  t.like(longer.body, { type: 'https://gavel.dev/problems/auction-too-long', maxDurationS: 30 * 86_400 });
});

test('endsAt and startsAt may carry any ISO-8601 offset (Korean time, +09:00); the auction keeps the instant, shown in UTC', async (t) => {
  const seller = await app.signup();
  const end = new Date(Math.ceil((Date.now() + 3_600_000) / 1000) * 1000);
  // The same instant written in Korean time: 9 hours ahead of UTC on the wall clock.
  const kst = new Date(end.getTime() + 9 * 3_600_000).toISOString().replace('.000Z', '+09:00');
  const res = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: { startPrice: 30_000, endsAt: kst } } });
  t.is(res.status, 201, JSON.stringify(res.body));
  const auction = await app.request('GET', `/v1/auctions/${res.body.auctionId}`);
  t.is(auction.body.endsAt, end.toISOString());
  const bad = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: { startPrice: 30_000, endsAt: kst.replace('+09:00', '+25:00') } } });
  t.is(bad.status, 400);
});
