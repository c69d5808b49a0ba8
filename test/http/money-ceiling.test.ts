import test, { type ExecutionContext } from 'ava';
import { AuctionEvent } from '../../api/schemas/auctions.ts';
import { MAX_PRICE, MAX_WON } from '../../domain/shared/money.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { createTestAuction } from '../support/auctions.ts';

/**
 * The money ceiling over HTTP, from the issue "a committed bid can answer 500 and break the auction
 * for everyone": an amount above MAX_PRICE is a 400 before anything is written, and an auction at
 * the ceiling still answers 200 everywhere it is shown.
 */
let app: TestApi;
test.before(async () => {
  app = await startTestApi('moneyceiling');
});
test.after.always(async () => {
  await app?.close();
});

const PROBLEMS = 'https://gavel.dev/problems/';
const HOUR_MS = 3_600_000;
const content = { title: '한정판 시계', description: '상태 좋음', categoryId: 1 };
const inAnHour = () => new Date(Date.now() + HOUR_MS).toISOString();

const sql = <Row = any>(text: string, params: unknown[] = []) => app.db.orm.em.fork().execute<Row[]>(text, params);

function assertProblem(t: ExecutionContext, res: HttpResult, status: number, code: string) {
  t.is(res.status, status, JSON.stringify(res.body));
  t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  t.is(res.body.type, PROBLEMS + code);
}

/** Everything a bid or buy-now could write. */
async function snapshot(auctionId: string) {
  const [auction] = await sql('select * from auctions where id = ?', [auctionId]);
  return {
    auction,
    bids: await sql('select * from bids where auction_id = ? order by seq', [auctionId]),
    events: await sql('select * from auction_events where auction_id = ? order by seq', [auctionId]),
    listing: await sql('select price, status, updated_at from listings where id = ?', [auction.listing_id]),
    trades: await sql('select * from trades where listing_id = ?', [auction.listing_id]),
  };
}

const listingCount = async (seller: TestUser) => (await sql<{ n: number }>('select count(*)::int as n from listings where seller_id = ?', [seller.id]))[0]!.n;

const bid = (user: TestUser, auctionId: string, body: unknown) => app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: user.accessToken, body });

/** The views the issue saw fail for good once the bad bid was written. */
async function assertStillShown(t: ExecutionContext, auctionId: string, ...viewers: TestUser[]) {
  t.is((await app.request('GET', `/v1/auctions/${auctionId}`)).status, 200);
  for (const viewer of viewers) {
    const auction = await app.request('GET', `/v1/auctions/${auctionId}`, { token: viewer.accessToken });
    t.is(auction.status, 200, JSON.stringify(auction.body));
    const mine = await app.request('GET', '/v1/me/bids', { token: viewer.accessToken });
    t.is(mine.status, 200, JSON.stringify(mine.body));
  }
}

test('an auction starting at 999,999,999,000 (the issue) is a 400 and writes nothing', async (t) => {
  const seller = await app.signup();
  const res = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: { startPrice: 999_999_999_000, endsAt: inAnHour() } } });
  assertProblem(t, res, 400, 'validation-failed');
  t.is(res.body.errors[0].path, 'auction.startPrice');
  t.is(await listingCount(seller), 0);
});

for (const field of ['startPrice', 'buyNowPrice', 'reservePrice'] as const) {
  test(`an auction whose ${field} is one won above MAX_PRICE is a 400 and writes nothing`, async (t) => {
    const seller = await app.signup();
    const terms = { startPrice: 1_000, endsAt: inAnHour(), [field]: MAX_PRICE + 1 };
    const res = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: terms } });
    assertProblem(t, res, 400, 'validation-failed');
    t.is(res.body.errors[0].path, `auction.${field}`);
    t.is(await listingCount(seller), 0);
  });
}

test('a bid above MAX_PRICE (the issue: 1,000,000,000,000) is a 400, writes nothing, and the auction still answers 200', async (t) => {
  const seller = await app.signup();
  const [leader, rival] = [await app.signup(), await app.signup()];
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: MAX_PRICE - 200_000, endsAt: new Date(Date.now() + HOUR_MS) });

  // A bid at the ceiling itself is fine, and the next minimum bid is still a showable amount.
  const top = await bid(leader, auctionId, { amount: MAX_PRICE });
  t.is(top.status, 201, JSON.stringify(top.body));
  t.like(top.body.auction, { currentPrice: MAX_PRICE, minimumBid: MAX_WON, myMaxAmount: MAX_PRICE });
  // What watchers are sent fits the published event schema too.
  const [event] = await sql('select payload from auction_events where auction_id = ?', [auctionId]);
  t.true(AuctionEvent.safeParse(event.payload).success, JSON.stringify(event.payload));
  t.is(event.payload.minimumBid, MAX_WON);

  const before = await snapshot(auctionId);
  for (const body of [{ amount: MAX_WON }, { amount: MAX_PRICE + 1 }, { amount: MAX_PRICE, maxAmount: MAX_PRICE + 1 }]) {
    const res = await bid(rival, auctionId, body);
    assertProblem(t, res, 400, 'validation-failed');
  }
  // Nothing can be bid over a price at the ceiling: the minimum is above the largest bid.
  const refused = await bid(rival, auctionId, { amount: MAX_PRICE });
  assertProblem(t, refused, 422, 'bid-too-low');
  t.is(refused.body.minimumBid, MAX_WON);
  t.deepEqual(await snapshot(auctionId), before);
  await assertStillShown(t, auctionId, leader, rival);
});

test('a proxy maximum above MAX_PRICE is a 400 and writes nothing; one at MAX_PRICE is kept and shown to its owner', async (t) => {
  const seller = await app.signup();
  const bidder = await app.signup();
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + HOUR_MS) });
  const before = await snapshot(auctionId);
  assertProblem(t, await bid(bidder, auctionId, { amount: 10_000, maxAmount: MAX_PRICE + 1 }), 400, 'validation-failed');
  assertProblem(t, await bid(bidder, auctionId, { amount: 10_000, maxAmount: MAX_WON }), 400, 'validation-failed');
  t.deepEqual(await snapshot(auctionId), before);

  const placed = await bid(bidder, auctionId, { amount: 10_000, maxAmount: MAX_PRICE });
  t.is(placed.status, 201, JSON.stringify(placed.body));
  t.like(placed.body.auction, { currentPrice: 10_000, myMaxAmount: MAX_PRICE });
  await assertStillShown(t, auctionId, bidder);
});

test('buy-now at 1,000,000,000,000 (the issue) is refused when the auction is listed; buy-now at MAX_PRICE closes and every view answers 200', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const refused = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: { startPrice: 1_000, buyNowPrice: MAX_WON, endsAt: inAnHour() } } });
  assertProblem(t, refused, 400, 'validation-failed');
  t.is(await listingCount(seller), 0);

  const listed = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, auction: { startPrice: 1_000, buyNowPrice: MAX_PRICE, endsAt: inAnHour() } } });
  t.is(listed.status, 201, JSON.stringify(listed.body));
  const auctionId = listed.body.auctionId;
  const bought = await app.request('POST', `/v1/auctions/${auctionId}/buy-now`, { token: buyer.accessToken });
  t.is(bought.status, 201, JSON.stringify(bought.body));
  t.like(bought.body.auction, { status: 'closed', outcome: 'sold', currentPrice: MAX_PRICE, minimumBid: MAX_WON });

  t.is((await app.request('GET', `/v1/auctions/${auctionId}`, { token: buyer.accessToken })).status, 200);
  t.is((await app.request('GET', `/v1/listings/${listed.body.id}`)).status, 200);
  const trades = await app.request('GET', '/v1/me/trades', { token: buyer.accessToken });
  t.is(trades.status, 200);
  t.is(trades.body.items[0].price, MAX_PRICE);
});

test('a fixed price above MAX_PRICE is a 400 on create and on PATCH, and writes nothing', async (t) => {
  const seller = await app.signup();
  for (const price of [MAX_PRICE + 1, MAX_WON]) {
    assertProblem(t, await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, price } }), 400, 'validation-failed');
  }
  t.is(await listingCount(seller), 0);

  const created = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...content, price: MAX_PRICE } });
  t.is(created.status, 201, JSON.stringify(created.body));
  t.is(created.body.price, MAX_PRICE);
  const [before] = await sql('select * from listings where id = ?', [created.body.id]);
  const patched = await app.request('PATCH', `/v1/listings/${created.body.id}`, { token: seller.accessToken, body: { price: MAX_PRICE + 1 } });
  assertProblem(t, patched, 400, 'validation-failed');
  t.deepEqual((await sql('select * from listings where id = ?', [created.body.id]))[0], before);
  t.is((await app.request('GET', `/v1/listings/${created.body.id}`)).body.price, MAX_PRICE);
});

test('/openapi.json publishes the ceiling: MAX_PRICE for money sent in, MAX_WON for money shown', async (t) => {
  const doc = (await app.request('GET', '/openapi.json')).body;
  const schemas = doc.components.schemas;
  const bidBody = schemas.NewBid.properties;
  t.is(bidBody.amount.maximum, MAX_PRICE);
  t.is(bidBody.maxAmount.maximum, MAX_PRICE);
  for (const field of ['startPrice', 'buyNowPrice', 'reservePrice']) t.is(schemas.NewAuctionTerms.properties[field].maximum, MAX_PRICE, field);
  t.is(schemas.NewListing.properties.price.maximum, MAX_PRICE);
  t.is(schemas.ListingPatch.properties.price.maximum, MAX_PRICE);
  t.is(schemas.Auction.properties.minimumBid.maximum, MAX_WON);
  t.is(schemas.Auction.properties.currentPrice.maximum, MAX_WON);
  t.is(schemas.AuctionEvent.properties.minimumBid.maximum, MAX_WON);
});
