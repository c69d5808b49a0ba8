import test, { type ExecutionContext } from 'ava';
import { bidderPseudonym } from '../../domain/auctions/bidder-pseudonym.ts';
import { incrementTable } from '../../domain/auctions/increment-table.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { openAuction, placeBid } from '../support/listings.ts';
import { assertProblem, PROBLEMS } from '../support/problems.ts';

/**
 * Every auction route and rule over HTTP against the real PostgreSQL and Redis. Tests run
 * concurrently, so each one creates its own seller, bidders and auction and looks only at those.
 */
let app: TestApi;
/** Soft close switched off. */
let noSoftClose: TestApi;
test.before(async () => {
  [app, noSoftClose] = await Promise.all([startTestApi('auctions'), startTestApi('auctions_nosoft', { SOFT_CLOSE_WINDOW_S: '0' })]);
});
test.after.always(async () => {
  await Promise.all([app?.close(), noSoftClose?.close()]);
});

const MISSING_ID = '01900000-0000-7000-8000-000000000000';
const HOUR_MS = 3_600_000;

type Body = Record<string, unknown>;

function sql<Row = any>(text: string, params: unknown[] = [], on = app): Promise<Row[]> {
  return on.db.orm.em.fork().execute<Row[]>(text, params);
}

const bid = (user: TestUser | undefined, auctionId: string, body: unknown, headers: Record<string, string> = {}, on = app) =>
  on.request('POST', `/v1/auctions/${auctionId}/bids`, { token: user?.accessToken, body, headers });

const getAuction = (auctionId: string, viewer?: TestUser, on = app) => on.request('GET', `/v1/auctions/${auctionId}`, { token: viewer?.accessToken });

const buyNow = (user: TestUser | undefined, auctionId: string) => app.request('POST', `/v1/auctions/${auctionId}/buy-now`, { token: user?.accessToken });

const history = (auctionId: string, query = '', viewer?: TestUser) => app.request('GET', `/v1/auctions/${auctionId}/bids${query}`, { token: viewer?.accessToken });
/** How a user appears in an auction's public bid history. */
const alias = (auctionId: string, user: TestUser) => bidderPseudonym(app.deps.config.pseudonymSecret, auctionId, user.id);

/** Everything a bid could touch, to prove that a rejected one touched nothing. */
async function snapshot(auctionId: string, on = app) {
  const [auction] = await sql('select * from auctions where id = ?', [auctionId], on);
  return {
    auction,
    bids: await sql('select * from bids where auction_id = ? order by seq', [auctionId], on),
    events: await sql('select * from auction_events where auction_id = ? order by seq', [auctionId], on),
    listing: auction ? await sql('select price, status, updated_at from listings where id = ?', [auction.listing_id], on) : [],
    trades: auction ? await sql('select * from trades where listing_id = ?', [auction.listing_id], on) : [],
  };
}

const events = async (auctionId: string, on = app) =>
  (await sql<{ seq: string; type: string; payload: any }>('select seq, type, payload from auction_events where auction_id = ? order by seq', [auctionId], on)).map(
    (e) => ({ seq: Number(e.seq), type: e.type, payload: e.payload }),
  );

function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

/** Neither the fields a leader's maximum or the reserve would show under, nor those amounts anywhere. */
function assertNoSecrets(t: ExecutionContext, body: unknown, ...secretAmounts: number[]) {
  const json = JSON.stringify(body);
  for (const name of ['leaderMaxAmount', 'reservePrice', 'reserve_price', 'leader_max_amount', 'maxAmount']) t.false(json.includes(`"${name}"`), name);
  const shown = numbersIn(body);
  for (const amount of secretAmounts) t.false(shown.includes(amount), `${amount} leaks`);
}

/** Timestamps come back from raw SQL as PostgreSQL text. */
const iso = (value: string) => new Date(value).toISOString();

// ---------------------------------------------------------------- GET /v1/auctions/:id

test('GET /v1/auctions/:id shows a fresh open auction', async (t) => {
  const { seller, auctionId, listingId } = await openAuction(app, { buyNowPrice: 90_000 });
  const res = await getAuction(auctionId);
  t.is(res.status, 200);
  t.like(res.body, {
    id: auctionId,
    listingId,
    sellerId: seller.id,
    status: 'open',
    outcome: null,
    startPrice: 10_000,
    currentPrice: 10_000,
    minimumBid: 10_000,
    leaderId: null,
    bidCount: 0,
    buyNowPrice: 90_000,
    buyNowAvailable: true,
    reserveMet: null,
    myMaxAmount: null,
  });
  t.regex(res.body.endsAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  t.regex(res.body.startsAt, /Z$/);
  assertNoSecrets(t, res.body);
});

test('GET /v1/auctions/:id judges the status by the clock: scheduled before the start, closed after the end', async (t) => {
  const { auctionId: later } = await openAuction(app, { startsAt: new Date(Date.now() + HOUR_MS), endsAt: new Date(Date.now() + 2 * HOUR_MS) });
  t.like((await getAuction(later)).body, { status: 'scheduled', outcome: null, buyNowAvailable: false });

  const { auctionId: ended } = await openAuction(app, { buyNowPrice: 50_000 });
  await sql(`update auctions set ends_at = now() - interval '1 second' where id = ?`, [ended]);
  const [row] = await sql('select status from auctions where id = ?', [ended]);
  t.is(row.status, 'open', 'the stored status lags; no worker has closed it');
  t.like((await getAuction(ended)).body, { status: 'closed', outcome: null, buyNowAvailable: false });
});

test('GET /v1/auctions/:id shows myMaxAmount to the leader only, and never a maximum or reserve to others', async (t) => {
  const { seller, auctionId } = await openAuction(app, { reservePrice: 73_300 });
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  const first = await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 47_300 });
  t.is(first.body.auction.myMaxAmount, 47_300);
  t.false(first.body.auction.reserveMet);

  const asLeader = await getAuction(auctionId, alice);
  t.like(asLeader.body, { leaderId: alice.id, myMaxAmount: 47_300, reserveMet: false, currentPrice: 10_000 });
  assertNoSecrets(t, asLeader.body, 73_300);
  for (const viewer of [bob, seller, undefined]) {
    const res = await getAuction(auctionId, viewer);
    t.is(res.status, 200);
    t.is(res.body.myMaxAmount, null);
    assertNoSecrets(t, res.body, 47_300, 73_300);
  }
});

test('GET /v1/auctions/:id of an unknown auction gives 404, of a non-UUID 400', async (t) => {
  assertProblem(t, await getAuction(MISSING_ID), 404, 'auction-not-found');
  assertProblem(t, await getAuction('123'), 400, 'validation-failed');
  assertProblem(t, await app.request('GET', '/v1/auctions/not-a-uuid/bids'), 400, 'validation-failed');
});

// ---------------------------------------------------------------- GET /v1/auction-increments

test('GET /v1/auction-increments publishes contiguous bands that the minimum bid follows', async (t) => {
  const res = await app.request('GET', '/v1/auction-increments');
  t.is(res.status, 200);
  t.deepEqual(res.body.items, incrementTable.map((b) => ({ ...b })));
  t.like(res.body.items[0], { fromPrice: 0, toPrice: 9_999, increment: 500 });
  t.like(res.body.items[1], { fromPrice: 10_000, toPrice: 49_999, increment: 1_000 });
  t.is(res.body.items.at(-1).toPrice, null);
  for (let i = 1; i < res.body.items.length; i++) t.is(res.body.items[i].fromPrice, res.body.items[i - 1].toPrice + 1);

  // The minimum next bid is the price plus the increment of the band the price is in.
  const { auctionId } = await openAuction(app, { startPrice: 9_000 });
  const buyer = await app.signup();
  t.is((await placeBid(app, buyer, auctionId, { amount: 9_999 })).body.auction.minimumBid, 10_499);
  const other = await app.signup();
  t.is((await placeBid(app, other, auctionId, { amount: 50_000 })).body.auction.minimumBid, 52_000);
});

// ---------------------------------------------------------------- POST /v1/auctions/:id/bids

test('a first bid gives 201 with the bid, leading true and the auction; rows, listing price and event follow', async (t) => {
  const { auctionId, listingId } = await openAuction(app);
  const alice = await app.signup();
  const res = await bid(alice, auctionId, { amount: 12_000 });
  t.is(res.status, 201);
  t.is(res.headers.get('idempotent-replayed'), 'false');
  t.like(res.body, {
    bid: { auctionId, amount: 12_000, maxAmount: null, kind: 'bid' },
    leading: true,
    // A plain bid is its own ceiling, which only the leader sees.
    auction: { id: auctionId, status: 'open', currentPrice: 12_000, leaderId: alice.id, bidCount: 1, minimumBid: 13_000, myMaxAmount: 12_000 },
  });
  t.regex(res.body.bid.createdAt, /Z$/);

  const rows = await sql('select id, bidder_id, amount, kind from bids where auction_id = ?', [auctionId]);
  t.deepEqual(rows.map((r) => ({ ...r, amount: Number(r.amount) })), [{ id: res.body.bid.id, bidder_id: alice.id, amount: 12_000, kind: 'bid' }]);
  const [listing] = await sql('select price from listings where id = ?', [listingId]);
  t.is(Number(listing.price), 12_000);
  t.deepEqual((await events(auctionId)).map((e) => e.seq), [1]);
  t.like(await getAuction(auctionId), { body: { currentPrice: 12_000, bidCount: 1, leaderId: alice.id } });
});

test('an anonymous bid gives 401 and changes nothing', async (t) => {
  const { auctionId } = await openAuction(app);
  const before = await snapshot(auctionId);
  assertProblem(t, await bid(undefined, auctionId, { amount: 10_000 }), 401, 'authentication-required');
  t.deepEqual(await snapshot(auctionId), before);
});

test('the seller bidding on their own auction gives 403 own-auction and changes nothing', async (t) => {
  const { seller, auctionId } = await openAuction(app);
  const before = await snapshot(auctionId);
  assertProblem(t, await bid(seller, auctionId, { amount: 10_000 }), 403, 'own-auction');
  assertProblem(t, await bid(seller, auctionId, { amount: 10_000, maxAmount: 50_000 }, { 'idempotency-key': 'seller-1' }), 403, 'own-auction');
  t.deepEqual(await snapshot(auctionId), before);
});

test('a bid below the minimum gives 422 bid-too-low with minimumBid and changes nothing', async (t) => {
  const { auctionId } = await openAuction(app);
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  let before = await snapshot(auctionId);
  const belowStart = await bid(alice, auctionId, { amount: 9_999 });
  assertProblem(t, belowStart, 422, 'bid-too-low');
  t.is(belowStart.body.minimumBid, 10_000);
  t.deepEqual(await snapshot(auctionId), before);

  await placeBid(app, alice, auctionId, { amount: 10_000 });
  before = await snapshot(auctionId);
  // A proxy maximum below the minimum is too low as well (one at or above it would bid the minimum).
  for (const body of [{ amount: 10_500 }, { amount: 10_999, maxAmount: 10_999 }, { maxAmount: 10_500 }, { amount: 10_000 }]) {
    const res = await bid(bob, auctionId, body);
    assertProblem(t, res, 422, 'bid-too-low');
    t.is(res.body.minimumBid, 11_000);
  }
  t.deepEqual(await snapshot(auctionId), before);
});

test('the leader bidding again without raising their maximum gives 422 max-not-raised and changes nothing', async (t) => {
  const { auctionId } = await openAuction(app);
  const alice = await app.signup();
  await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 30_000 });
  const before = await snapshot(auctionId);
  assertProblem(t, await bid(alice, auctionId, { amount: 11_000 }), 422, 'max-not-raised');
  assertProblem(t, await bid(alice, auctionId, { amount: 30_000 }), 422, 'max-not-raised');
  assertProblem(t, await bid(alice, auctionId, { amount: 11_000, maxAmount: 30_000 }), 422, 'max-not-raised');
  t.deepEqual(await snapshot(auctionId), before);
});

test('a bid before the start gives 409 auction-not-started and changes nothing', async (t) => {
  const { auctionId } = await openAuction(app, { startsAt: new Date(Date.now() + HOUR_MS), endsAt: new Date(Date.now() + 2 * HOUR_MS) });
  const alice = await app.signup();
  const before = await snapshot(auctionId);
  const res = await bid(alice, auctionId, { amount: 10_000 });
  assertProblem(t, res, 409, 'auction-not-started');
  t.regex(res.body.startsAt, /Z$/);
  t.deepEqual(await snapshot(auctionId), before);
});

test('a bid after the end gives 409 auction-closed, even while the stored status is still open, and changes nothing', async (t) => {
  const { auctionId } = await openAuction(app);
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  await placeBid(app, alice, auctionId, { amount: 10_000 });
  await sql(`update auctions set ends_at = now() - interval '1 millisecond' where id = ?`, [auctionId]);
  const before = await snapshot(auctionId);
  t.is(before.auction.status, 'open');
  assertProblem(t, await bid(bob, auctionId, { amount: 20_000 }), 409, 'auction-closed');
  assertProblem(t, await bid(alice, auctionId, { amount: 10_000, maxAmount: 90_000 }), 409, 'auction-closed');
  t.deepEqual(await snapshot(auctionId), before);
});

test('a scheduled auction whose start has passed takes bids though its stored status still says scheduled', async (t) => {
  const { auctionId } = await openAuction(app, { startsAt: new Date(Date.now() + HOUR_MS), endsAt: new Date(Date.now() + 2 * HOUR_MS) });
  const alice = await app.signup();
  await sql(`update auctions set starts_at = now() - interval '1 second' where id = ?`, [auctionId]);
  t.like((await getAuction(auctionId)).body, { status: 'open' });
  const res = await bid(alice, auctionId, { amount: 10_000 });
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body.auction, { status: 'open', leaderId: alice.id });
  const [row] = await sql('select status from auctions where id = ?', [auctionId]);
  t.is(row.status, 'open');
});

test('a bid on a cancelled auction gives 409 auction-cancelled and changes nothing', async (t) => {
  const { auctionId } = await openAuction(app);
  const alice = await app.signup();
  await sql(`update auctions set status = 'closed', outcome = 'cancelled', ends_at = now() where id = ?`, [auctionId]);
  const before = await snapshot(auctionId);
  assertProblem(t, await bid(alice, auctionId, { amount: 10_000 }), 409, 'auction-cancelled');
  t.like((await getAuction(auctionId)).body, { status: 'closed', outcome: 'cancelled' });
  t.deepEqual(await snapshot(auctionId), before);
});

for (const [name, body, code] of [
  ['a string amount', { amount: '10000' }, 'validation-failed'],
  ['a fractional amount', { amount: 10_000.5 }, 'validation-failed'],
  ['a negative amount', { amount: -10_000 }, 'validation-failed'],
  ['a zero amount', { amount: 0 }, 'validation-failed'],
  ['an amount beyond a trillion', { amount: 1_000_000_000_001 }, 'validation-failed'],
  ['neither amount nor maxAmount', {}, 'validation-failed'],
  ['a string maxAmount', { amount: 10_000, maxAmount: '20000' }, 'validation-failed'],
  ['a null maxAmount', { amount: 10_000, maxAmount: null }, 'validation-failed'],
  ['a fractional maxAmount', { amount: 10_000, maxAmount: 20_000.1 }, 'validation-failed'],
  ['a bidderId (the bidder comes from the token only)', { amount: 10_000, bidderId: MISSING_ID }, 'validation-failed'],
  ['an unknown field', { amount: 10_000, currency: 'USD' }, 'validation-failed'],
  ['an array', [{ amount: 10_000 }], 'validation-failed'],
  ['a maxAmount below the amount', { amount: 20_000, maxAmount: 15_000 }, 'max-below-amount'],
] as const) {
  test(`a bid with ${name} gives 400 ${code} and changes nothing`, async (t) => {
    const { auctionId } = await openAuction(app);
    const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
    await placeBid(app, alice, auctionId, { amount: 10_000 });
    const before = await snapshot(auctionId);
    assertProblem(t, await bid(bob, auctionId, body), 400, code);
    t.deepEqual(await snapshot(auctionId), before);
  });
}

test('a bid with a body that is not JSON gives 400 or 415 and changes nothing', async (t) => {
  const { auctionId } = await openAuction(app);
  const alice = await app.signup();
  const before = await snapshot(auctionId);
  const malformed = await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: alice.accessToken, raw: '{"amount": 1', headers: { 'content-type': 'application/json' } });
  assertProblem(t, malformed, 400, 'malformed-json');
  const form = await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: alice.accessToken, raw: 'amount=10000', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assertProblem(t, form, 415, 'unsupported-media-type');
  assertProblem(t, await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: alice.accessToken }), 400, 'validation-failed');
  t.deepEqual(await snapshot(auctionId), before);
});

test('a bid on an unknown auction gives 404, on a non-UUID 400', async (t) => {
  const alice = await app.signup();
  assertProblem(t, await bid(alice, MISSING_ID, { amount: 10_000 }), 404, 'auction-not-found');
  assertProblem(t, await bid(alice, 'nope', { amount: 10_000 }), 400, 'validation-failed');
  const [{ n }] = await sql('select count(*)::int as n from bids where bidder_id = ?', [alice.id]);
  t.is(n, 0);
});

// ---------------------------------------------------------------- proxy bidding

test('proxy bidding: a plain bid under the leader maximum is answered one increment above; a bid over it takes the lead', async (t) => {
  const { auctionId } = await openAuction(app);
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  const a1 = await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 50_000 });
  t.like(a1.body, { leading: true, bid: { amount: 10_000, maxAmount: 50_000 }, auction: { currentPrice: 10_000, myMaxAmount: 50_000, bidCount: 1 } });

  const b1 = await placeBid(app, bob, auctionId, { amount: 20_000 });
  t.like(b1.body, {
    bid: { amount: 20_000, maxAmount: null, kind: 'bid' },
    leading: false,
    auction: { currentPrice: 21_000, leaderId: alice.id, bidCount: 3, minimumBid: 22_000, myMaxAmount: null },
  });
  assertNoSecrets(t, b1.body.auction, 50_000);

  const h1 = await history(auctionId);
  t.is(h1.status, 200);
  t.deepEqual(
    h1.body.items.map((i: any) => ({ bidder: i.bidder, amount: i.amount, automatic: i.automatic })),
    [
      { bidder: alias(auctionId, alice), amount: 21_000, automatic: true },
      { bidder: alias(auctionId, bob), amount: 20_000, automatic: false },
      { bidder: alias(auctionId, alice), amount: 10_000, automatic: false },
    ],
  );
  assertNoSecrets(t, h1.body, 50_000);
  for (const viewer of [bob, undefined]) assertNoSecrets(t, (await getAuction(auctionId, viewer)).body, 50_000);

  // Over alice's maximum: alice's proxy defends up to 50,000, then bob's own amount stands.
  const b2 = await placeBid(app, bob, auctionId, { amount: 60_000 });
  t.like(b2.body, { leading: true, auction: { currentPrice: 60_000, leaderId: bob.id, bidCount: 5, minimumBid: 62_000, myMaxAmount: 60_000 } });
  const h2 = await history(auctionId, '?limit=2');
  t.deepEqual(
    h2.body.items.map((i: any) => ({ bidder: i.bidder, amount: i.amount, automatic: i.automatic })),
    [
      { bidder: alias(auctionId, bob), amount: 60_000, automatic: false },
      { bidder: alias(auctionId, alice), amount: 50_000, automatic: true },
    ],
  );
  t.like((await getAuction(auctionId, alice)).body, { leaderId: bob.id, currentPrice: 60_000, myMaxAmount: null });
});

test('proxy bidding: a challenger maximum over the leader maximum wins at one increment above it', async (t) => {
  const { auctionId } = await openAuction(app);
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 50_000 });
  const res = await placeBid(app, bob, auctionId, { amount: 11_000, maxAmount: 80_000 });
  // 50,000 is in the 2,000 band.
  t.like(res.body, { leading: true, bid: { amount: 52_000, maxAmount: 80_000 }, auction: { currentPrice: 52_000, leaderId: bob.id, bidCount: 3, myMaxAmount: 80_000 } });
  const items = (await history(auctionId)).body.items;
  t.deepEqual(items.map((i: any) => [i.bidder, i.amount, i.automatic]), [[alias(auctionId, bob), 52_000, false], [alias(auctionId, alice), 50_000, true], [alias(auctionId, alice), 10_000, false]]);

  // Less than one increment over the old maximum: the challenger pays their own maximum.
  const { auctionId: close } = await openAuction(app);
  await placeBid(app, alice, close, { amount: 10_000, maxAmount: 50_000 });
  t.like((await placeBid(app, bob, close, { amount: 11_000, maxAmount: 50_500 })).body, { leading: true, auction: { currentPrice: 50_500 } });
});

test('bid history shows per-auction pseudonyms to others, and a bidder their own account id', async (t) => {
  const [{ auctionId }, { auctionId: other }] = await Promise.all([openAuction(app), openAuction(app)]);
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  await placeBid(app, alice, auctionId, { amount: 10_000 });
  await placeBid(app, bob, auctionId, { amount: 11_000 });
  await placeBid(app, alice, auctionId, { amount: 12_000 });
  await placeBid(app, alice, other, { amount: 10_000 });

  const anonymous = (await history(auctionId)).body.items;
  const text = JSON.stringify(anonymous);
  t.false(text.includes(alice.id) || text.includes(bob.id), 'no account id in the public history');
  t.deepEqual(anonymous.map((i: any) => i.bidderId), [null, null, null]);
  const [a1, b1, a0] = anonymous.map((i: any) => i.bidder);
  t.regex(a1, /^bidder [0-9A-HJKMNP-TV-Z]{6}$/);
  t.is(a1, a0, 'one bidder, one pseudonym within the auction');
  t.not(a1, b1, 'two bidders, two pseudonyms');
  t.not((await history(other)).body.items[0].bidder, a1, 'unrelated across auctions');
  t.deepEqual((await history(auctionId, '?limit=1&cursor=' + (await history(auctionId, '?limit=2')).body.nextCursor)).body.items[0].bidder, a0, 'stable across pages');

  // Alice sees her own bids with her id, and bob's still only by pseudonym; the seller sees no ids.
  const forAlice = (await history(auctionId, '', alice)).body.items;
  t.deepEqual(forAlice.map((i: any) => i.bidderId), [alice.id, null, alice.id]);
  t.deepEqual(forAlice.map((i: any) => i.bidder), [a1, b1, a0]);
  t.deepEqual((await history(auctionId, '', bob)).body.items.map((i: any) => i.bidderId), [null, bob.id, null]);
});

test('a tie goes to the earlier bidder', async (t) => {
  const { auctionId } = await openAuction(app);
  const [alice, bob, carol] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 30_000 });
  const plain = await placeBid(app, bob, auctionId, { amount: 30_000 });
  t.like(plain.body, { leading: false, auction: { leaderId: alice.id, currentPrice: 30_000 } });
  const withMax = await bid(carol, auctionId, { amount: 31_000, maxAmount: 31_000 });
  t.like(withMax.body, { leading: true }, 'one increment more does win');

  const { auctionId: second } = await openAuction(app);
  await placeBid(app, alice, second, { amount: 10_000, maxAmount: 30_000 });
  const sameMax = await placeBid(app, bob, second, { amount: 12_000, maxAmount: 30_000 });
  t.like(sameMax.body, { leading: false, auction: { leaderId: alice.id, currentPrice: 30_000 } });
  const items = (await history(second)).body.items;
  t.deepEqual(items.slice(0, 2).map((i: any) => [i.bidder, i.amount, i.automatic]), [[alias(second, alice), 30_000, true], [alias(second, bob), 30_000, false]]);
});

test('the leader raising their own maximum is private: kind max_raise, no history, no bid counted, no event, no price move', async (t) => {
  const { auctionId } = await openAuction(app, { endsAt: new Date(Date.now() + HOUR_MS) });
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 20_000 });
  const before = await snapshot(auctionId);

  const raise = await placeBid(app, alice, auctionId, { amount: 11_000, maxAmount: 40_000 });
  t.like(raise.body, {
    bid: { kind: 'max_raise', amount: 10_000, maxAmount: 40_000 },
    leading: true,
    auction: { currentPrice: 10_000, bidCount: 1, leaderId: alice.id, myMaxAmount: 40_000, endsAt: iso(before.auction.ends_at) },
  });
  const after = await snapshot(auctionId);
  t.is(after.bids.length, 2);
  t.is(after.bids[1].kind, 'max_raise');
  t.deepEqual(after.events, before.events, 'no event');
  t.is(after.auction.bid_count, 1);
  t.deepEqual(after.auction.ends_at, before.auction.ends_at);
  t.deepEqual((await history(auctionId)).body.items.map((i: any) => i.amount), [10_000]);
  t.like((await getAuction(auctionId, bob)).body, { bidCount: 1, currentPrice: 10_000, myMaxAmount: null });
  t.is((await getAuction(auctionId, alice)).body.myMaxAmount, 40_000);

  // The raise holds: bob is now defended up to 40,000.
  const challenge = await placeBid(app, bob, auctionId, { amount: 30_000 });
  t.like(challenge.body, { leading: false, auction: { currentPrice: 31_000, leaderId: alice.id, bidCount: 3 } });
});

// ---------------------------------------------------------------- reserve price

test('reserve: a bid below it leaves reserveMet false; a maximum above it lifts the price to the reserve', async (t) => {
  const { auctionId } = await openAuction(app, { reservePrice: 30_000 });
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  const below = await placeBid(app, alice, auctionId, { amount: 15_000 });
  t.like(below.body.auction, { currentPrice: 15_000, reserveMet: false });
  const below2 = await placeBid(app, bob, auctionId, { amount: 17_000, maxAmount: 29_999 });
  t.like(below2.body.auction, { currentPrice: 17_000, reserveMet: false, leaderId: bob.id });
  const over = await placeBid(app, alice, auctionId, { amount: 31_000, maxAmount: 45_000 });
  t.like(over.body, { leading: true, auction: { currentPrice: 31_000, reserveMet: true } });
  t.like((await getAuction(auctionId)).body, { reserveMet: true, currentPrice: 31_000 });
  assertNoSecrets(t, (await getAuction(auctionId)).body, 45_000);

  // A first maximum over the reserve jumps straight to it.
  const { auctionId: second } = await openAuction(app, { reservePrice: 25_000 });
  const jump = await placeBid(app, bob, second, { amount: 10_000, maxAmount: 40_000 });
  t.like(jump.body, { bid: { amount: 25_000, maxAmount: 40_000 }, auction: { currentPrice: 25_000, reserveMet: true, bidCount: 1 } });
  const [row] = await sql('select reserve_met from auctions where id = ?', [second]);
  t.true(row.reserve_met);

  // A challenger whose maximum passes the reserve takes the lead at the reserve.
  const { auctionId: third } = await openAuction(app, { reservePrice: 30_000 });
  await placeBid(app, alice, third, { amount: 15_000 });
  const takeover = await placeBid(app, bob, third, { amount: 16_000, maxAmount: 45_000 });
  t.like(takeover.body, { leading: true, auction: { currentPrice: 30_000, reserveMet: true, leaderId: bob.id } });
  t.is(takeover.body.auction.myMaxAmount, 45_000, 'the leader sees their own maximum');
  assertNoSecrets(t, (await getAuction(third, alice)).body, 45_000);
});

test('reserve: the leader raising their maximum past the reserve lifts the price, and that price change is an event', async (t) => {
  const { auctionId } = await openAuction(app, { reservePrice: 30_000 });
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 20_000 });
  const raise = await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 40_000 });
  t.like(raise.body, { leading: true, auction: { currentPrice: 30_000, reserveMet: true } });
  const current = (await getAuction(auctionId, bob)).body;
  t.like(current, { currentPrice: 30_000, reserveMet: true });
  // API.md: "Each price change is one event".
  const stream = await events(auctionId);
  t.deepEqual(stream.map((e) => e.seq), [1, 2], 'the move from 10,000 to 30,000 must reach watchers');
  t.like(stream.at(-1)?.payload ?? {}, { currentPrice: 30_000, leaderId: alice.id, bidCount: current.bidCount, endsAt: current.endsAt });
});

// ---------------------------------------------------------------- soft close

test('soft close: a bid inside the window moves the end to now + window and marks the event extended', async (t) => {
  const { auctionId } = await openAuction(app);
  const alice = await app.signup();
  const windowS = app.deps.config.auctions.softCloseWindowS;
  t.is(windowS, 60);
  await sql(`update auctions set ends_at = now() + interval '20 seconds', original_ends_at = now() + interval '20 seconds' where id = ?`, [auctionId]);
  const res = await placeBid(app, alice, auctionId, { amount: 10_000 });
  const expected = new Date(Date.parse(res.body.bid.createdAt) + windowS * 1000).toISOString();
  t.is(res.body.auction.endsAt, expected);
  t.is((await getAuction(auctionId)).body.endsAt, expected);
  const [event] = await events(auctionId);
  t.like(event?.payload, { extended: true, endsAt: expected });
  const [row] = await sql('select ends_at, original_ends_at from auctions where id = ?', [auctionId]);
  t.is(iso(row.ends_at), expected);
  t.true(Date.parse(iso(row.original_ends_at)) < Date.parse(expected), 'the original end stays as it was');
});

test('soft close: a bid outside the window leaves the end alone', async (t) => {
  const { auctionId } = await openAuction(app);
  const alice = await app.signup();
  const endsAt = (await getAuction(auctionId)).body.endsAt;
  const res = await placeBid(app, alice, auctionId, { amount: 10_000 });
  t.is(res.body.auction.endsAt, endsAt);
  t.like((await events(auctionId))[0]?.payload, { extended: false, endsAt });
});

test('soft close: extensions stop at the original end plus SOFT_CLOSE_MAX_EXTENSION_S', async (t) => {
  const { auctionId } = await openAuction(app);
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  const maxS = app.deps.config.auctions.softCloseMaxExtensionS;
  // Already extended for all but 10 s of the cap, with 5 s to go: a bid may add 5 s, not 60.
  await sql(`update auctions set original_ends_at = now() - interval '${maxS - 10} seconds', ends_at = now() + interval '5 seconds' where id = ?`, [auctionId]);
  const [{ original_ends_at: originalEndsAt }] = await sql('select original_ends_at from auctions where id = ?', [auctionId]);
  const cap = new Date(Date.parse(iso(originalEndsAt)) + maxS * 1000).toISOString();

  const first = await placeBid(app, alice, auctionId, { amount: 10_000 });
  t.is(first.body.auction.endsAt, cap);
  t.true(Date.parse(cap) < Date.parse(first.body.bid.createdAt) + 60_000);
  const second = await placeBid(app, bob, auctionId, { amount: 11_000 });
  t.is(second.body.auction.endsAt, cap, 'at the cap nothing moves');
  t.deepEqual((await events(auctionId)).map((e) => [e.payload.extended, e.payload.endsAt]), [[true, cap], [false, cap]]);
});

test('soft close: with SOFT_CLOSE_WINDOW_S=0 a last-second bid moves nothing', async (t) => {
  const { auctionId } = await openAuction(noSoftClose);
  const alice = await noSoftClose.signup();
  await sql(`update auctions set ends_at = now() + interval '3 seconds', original_ends_at = now() + interval '3 seconds' where id = ?`, [auctionId], noSoftClose);
  const before = (await getAuction(auctionId, undefined, noSoftClose)).body.endsAt;
  const res = await placeBid(noSoftClose, alice, auctionId, { amount: 10_000 });
  t.is(res.body.auction.endsAt, before);
  t.like((await events(auctionId, noSoftClose))[0]?.payload, { extended: false, endsAt: before });
});

// ---------------------------------------------------------------- buy-now

test('buy-now gives 201: the auction closes sold at the buy-now price, the trade opens and the listing is reserved', async (t) => {
  const { seller, auctionId, listingId } = await openAuction(app, { buyNowPrice: 80_000 });
  const [alice, buyer] = await Promise.all([app.signup(), app.signup()]);
  const res = await buyNow(buyer, auctionId);
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body.auction, { id: auctionId, status: 'closed', outcome: 'sold', currentPrice: 80_000, leaderId: buyer.id, buyNowAvailable: false, bidCount: 0 });
  t.is(res.headers.get('location'), `/v1/trades/${res.body.tradeId}`);

  const trades = await sql('select id, buyer_id, seller_id, price, kind, status from trades where listing_id = ?', [listingId]);
  t.deepEqual(trades.map((r) => ({ ...r, price: Number(r.price) })), [
    { id: res.body.tradeId, buyer_id: buyer.id, seller_id: seller.id, price: 80_000, kind: 'auction', status: 'pending' },
  ]);
  const [listing] = await sql('select status, price from listings where id = ?', [listingId]);
  t.is(listing.status, 'reserved');
  t.is(Number(listing.price), 80_000);
  const [row] = await sql('select status, outcome, closed_at from auctions where id = ?', [auctionId]);
  t.like(row, { status: 'closed', outcome: 'sold' });
  t.truthy(row.closed_at);
  t.like((await events(auctionId)).at(-1), { seq: 1, type: 'closed', payload: { currentPrice: 80_000, leaderId: buyer.id, status: 'closed' } });
  t.like((await getAuction(auctionId)).body, { status: 'closed', outcome: 'sold', currentPrice: 80_000 });

  // After it: bids and another buy-now meet a closed auction.
  const before = await snapshot(auctionId);
  assertProblem(t, await bid(alice, auctionId, { amount: 90_000 }), 409, 'auction-closed');
  assertProblem(t, await buyNow(alice, auctionId), 409, 'auction-closed');
  t.deepEqual(await snapshot(auctionId), before);
});

test('buy-now without a buy-now price, or once a bid has been placed, gives 409 buy-now-unavailable and changes nothing', async (t) => {
  const buyer = await app.signup();
  const { auctionId: plain } = await openAuction(app);
  let before = await snapshot(plain);
  assertProblem(t, await buyNow(buyer, plain), 409, 'buy-now-unavailable');
  t.deepEqual(await snapshot(plain), before);

  const { auctionId: reached } = await openAuction(app, { buyNowPrice: 50_000 });
  const alice = await app.signup();
  const first = await placeBid(app, alice, reached, { amount: 10_000 });
  t.false(first.body.auction.buyNowAvailable, 'the first bid ends buy-now');
  before = await snapshot(reached);
  assertProblem(t, await buyNow(buyer, reached), 409, 'buy-now-unavailable');
  t.deepEqual(await snapshot(reached), before);
});

test('buy-now by the seller gives 403, anonymous 401, on an unknown auction 404, and changes nothing', async (t) => {
  const { seller, auctionId } = await openAuction(app, { buyNowPrice: 50_000 });
  const before = await snapshot(auctionId);
  assertProblem(t, await buyNow(seller, auctionId), 403, 'own-auction');
  assertProblem(t, await buyNow(undefined, auctionId), 401, 'authentication-required');
  assertProblem(t, await buyNow(seller, MISSING_ID), 404, 'auction-not-found');
  t.deepEqual(await snapshot(auctionId), before);
});

test('buy-now before the start or after the end gives 409', async (t) => {
  const buyer = await app.signup();
  const { auctionId: later } = await openAuction(app, { buyNowPrice: 50_000, startsAt: new Date(Date.now() + HOUR_MS), endsAt: new Date(Date.now() + 2 * HOUR_MS) });
  assertProblem(t, await buyNow(buyer, later), 409, 'auction-not-started');
  const { auctionId: ended } = await openAuction(app, { buyNowPrice: 50_000 });
  await sql(`update auctions set ends_at = now() - interval '1 second' where id = ?`, [ended]);
  const before = await snapshot(ended);
  assertProblem(t, await buyNow(buyer, ended), 409, 'auction-closed');
  t.deepEqual(await snapshot(ended), before);
});

test('two buyers racing for buy-now: one 201, one 409, one trade', async (t) => {
  const { auctionId, listingId } = await openAuction(app, { buyNowPrice: 50_000 });
  const buyers = await Promise.all([1, 2, 3].map(() => app.signup()));
  const results = await Promise.all(buyers.map((b) => buyNow(b, auctionId)));
  t.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409]);
  for (const r of results.filter((r) => r.status === 409)) t.is(r.body.type, PROBLEMS + 'auction-closed');
  const winner = results.find((r) => r.status === 201)!;
  const trades = await sql('select id from trades where listing_id = ?', [listingId]);
  t.deepEqual(trades.map((r) => r.id), [winner.body.tradeId]);
  t.deepEqual((await events(auctionId)).map((e) => e.type), ['closed']);
});

test('a bid racing a buy-now: either the bid lands first or it meets a closed auction', async (t) => {
  const { auctionId } = await openAuction(app, { buyNowPrice: 50_000 });
  const [bidder, buyer] = await Promise.all([app.signup(), app.signup()]);
  const [bidRes, buyRes] = await Promise.all([bid(bidder, auctionId, { amount: 20_000 }), buyNow(buyer, auctionId)]);
  t.is(buyRes.status, 201);
  t.true(bidRes.status === 201 || bidRes.body.type === PROBLEMS + 'auction-closed', JSON.stringify(bidRes.body));
  const final = (await getAuction(auctionId)).body;
  t.like(final, { status: 'closed', outcome: 'sold', currentPrice: 50_000, leaderId: buyer.id, bidCount: bidRes.status === 201 ? 1 : 0 });
});

// ---------------------------------------------------------------- Idempotency-Key

test('the same Idempotency-Key and body replays the same response with Idempotent-Replayed: true and one bid row', async (t) => {
  const { auctionId } = await openAuction(app);
  const alice = await app.signup();
  const key = 'bid-7f3e2a';
  const first = await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 25_000 }, { 'idempotency-key': key });
  t.is(first.headers.get('idempotent-replayed'), 'false');
  const again = await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 25_000 }, { 'idempotency-key': key });
  t.is(again.headers.get('idempotent-replayed'), 'true');
  t.deepEqual(again.body, first.body);
  const after = await snapshot(auctionId);
  t.deepEqual(after.bids.map((b) => b.id), [first.body.bid.id]);
  t.is(after.auction.bid_count, 1);
  t.is(after.events.length, 1);
});

test('the same Idempotency-Key sent twice at once applies once and both get the same bid', async (t) => {
  const { auctionId } = await openAuction(app);
  const alice = await app.signup();
  const results = await Promise.all([1, 2, 3].map(() => bid(alice, auctionId, { amount: 10_000 }, { 'idempotency-key': 'concurrent-retry' })));
  t.deepEqual(results.map((r) => r.status), [201, 201, 201], JSON.stringify(results.map((r) => r.body)));
  t.is(new Set(results.map((r) => r.body.bid?.id)).size, 1);
  t.deepEqual(results.map((r) => r.headers.get('idempotent-replayed')).sort(), ['false', 'true', 'true']);
  t.is((await snapshot(auctionId)).bids.length, 1);
});

test('one Idempotency-Key on two auctions at once: one bid applies, the other is 422 idempotency-key-reused', async (t) => {
  // Each pair races past the lookups (the row locks are per auction, so nothing serialises them)
  // and meets at the stored key: the later must not take over a live key and commit a second bid.
  const alice = await app.signup();
  for (let i = 0; i < 4; i++) {
    const auctions = [(await openAuction(app)).auctionId, (await openAuction(app)).auctionId];
    const results = await Promise.all(auctions.map((auctionId) => bid(alice, auctionId, { amount: 10_000 }, { 'idempotency-key': `two-auctions-${i}` })));
    t.deepEqual(results.map((r) => r.status).sort(), [201, 422], JSON.stringify(results.map((r) => r.body)));
    t.true(results.some((r) => r.status === 422 && r.body.type.endsWith('/idempotency-key-reused')));
    const bids = await Promise.all(auctions.map(async (auctionId) => (await snapshot(auctionId)).bids.length));
    t.deepEqual(bids.sort(), [0, 1]);
  }
});

test('the same Idempotency-Key with another body gives 422 idempotency-key-reused and changes nothing', async (t) => {
  const { auctionId } = await openAuction(app);
  const { auctionId: other } = await openAuction(app);
  const alice = await app.signup();
  await placeBid(app, alice, auctionId, { amount: 10_000 }, { 'idempotency-key': 'reuse-me' });
  const before = await snapshot(auctionId);
  const beforeOther = await snapshot(other);
  assertProblem(t, await bid(alice, auctionId, { amount: 12_000 }, { 'idempotency-key': 'reuse-me' }), 422, 'idempotency-key-reused');
  assertProblem(t, await bid(alice, auctionId, { amount: 10_000, maxAmount: 10_000 }, { 'idempotency-key': 'reuse-me' }), 422, 'idempotency-key-reused');
  assertProblem(t, await bid(alice, other, { amount: 10_000 }, { 'idempotency-key': 'reuse-me' }), 422, 'idempotency-key-reused');
  t.deepEqual(await snapshot(auctionId), before);
  t.deepEqual(await snapshot(other), beforeOther);
});

test('one Idempotency-Key used by two users is two independent keys', async (t) => {
  const { auctionId } = await openAuction(app);
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  const a = await placeBid(app, alice, auctionId, { amount: 10_000 }, { 'idempotency-key': 'shared-key' });
  const b = await placeBid(app, bob, auctionId, { amount: 11_000 }, { 'idempotency-key': 'shared-key' });
  t.is(b.headers.get('idempotent-replayed'), 'false');
  t.not(a.body.bid.id, b.body.bid.id);
  t.like(b.body, { leading: true, auction: { currentPrice: 11_000, leaderId: bob.id } });
  // And the same body under the same key from another user is not a replay either.
  const { auctionId: second } = await openAuction(app);
  const a2 = await placeBid(app, alice, second, { amount: 10_000, maxAmount: 10_000 }, { 'idempotency-key': 'same-everything' });
  const b2 = await bid(bob, second, { amount: 10_000, maxAmount: 10_000 }, { 'idempotency-key': 'same-everything' });
  assertProblem(t, b2, 422, 'bid-too-low');
  t.is(a2.headers.get('idempotent-replayed'), 'false');
});

test('an Idempotency-Key older than 24 hours is treated as new', async (t) => {
  const { auctionId } = await openAuction(app);
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  const first = await placeBid(app, alice, auctionId, { amount: 10_000 }, { 'idempotency-key': 'old-key' });
  await placeBid(app, bob, auctionId, { amount: 11_000 });
  await sql(`update idempotency_keys set created_at = now() - interval '25 hours' where user_id = ? and key = ?`, [alice.id, 'old-key']);

  // Another body under the aged key is a new request, not a 422.
  const fresh = await placeBid(app, alice, auctionId, { amount: 12_000 }, { 'idempotency-key': 'old-key' });
  t.is(fresh.headers.get('idempotent-replayed'), 'false');
  t.not(fresh.body.bid.id, first.body.bid.id);
  t.like(fresh.body, { leading: true, auction: { currentPrice: 12_000 } });
  // The key now belongs to the new request.
  const replay = await placeBid(app, alice, auctionId, { amount: 12_000 }, { 'idempotency-key': 'old-key' });
  t.is(replay.headers.get('idempotent-replayed'), 'true');
  t.is(replay.body.bid.id, fresh.body.bid.id);
  const rows = await sql('select created_at from idempotency_keys where user_id = ? and key = ?', [alice.id, 'old-key']);
  t.is(rows.length, 1);
  t.true(Date.now() - Date.parse(iso(rows[0].created_at)) < 60_000);
  t.is((await snapshot(auctionId)).bids.length, 3);
});

test('an invalid Idempotency-Key gives 400 and changes nothing', async (t) => {
  const { auctionId } = await openAuction(app);
  const alice = await app.signup();
  const before = await snapshot(auctionId);
  for (const key of ['has spaces in it', 'k'.repeat(300), 'tab\there']) {
    const res = await bid(alice, auctionId, { amount: 10_000 }, { 'idempotency-key': key });
    assertProblem(t, res, 400, 'validation-failed');
    t.true(res.body.errors.some((e: any) => e.in === 'header'), JSON.stringify(res.body.errors));
  }
  t.deepEqual(await snapshot(auctionId), before);
  const [{ n }] = await sql('select count(*)::int as n from idempotency_keys where user_id = ?', [alice.id]);
  t.is(n, 0);
  // 255 printable characters is the longest key allowed.
  t.is((await bid(alice, auctionId, { amount: 10_000 }, { 'idempotency-key': 'k'.repeat(255) })).status, 201);
});

// ---------------------------------------------------------------- GET /v1/auctions/:id/bids

test('bid history: newest first, keyset pages walk every public bid once, no maximum shown', async (t) => {
  const { auctionId } = await openAuction(app);
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  await placeBid(app, alice, auctionId, { amount: 10_000, maxAmount: 14_700 }); // 1 row
  await placeBid(app, bob, auctionId, { amount: 11_000 }); // bob 11,000 + alice proxy 12,000
  await placeBid(app, bob, auctionId, { amount: 13_000 }); // bob 13,000 + alice proxy 14,000
  await placeBid(app, bob, auctionId, { amount: 16_000, maxAmount: 28_900 }); // alice proxy 14,700 + bob 16,000
  await placeBid(app, bob, auctionId, { amount: 17_000, maxAmount: 29_900 }); // private max_raise
  const rows = await sql('select id, kind from bids where auction_id = ? order by seq desc', [auctionId]);
  const publicIds = rows.filter((r) => r.kind !== 'max_raise').map((r) => r.id);
  t.is(publicIds.length, 7);

  const seen: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: HttpResult = await history(auctionId, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    t.is(res.status, 200);
    t.true(res.body.items.length <= 3);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  t.is(pages, 3);
  t.deepEqual(seen.map((i) => i.id), publicIds);
  t.deepEqual(seen.map((i) => i.amount), [16_000, 14_700, 14_000, 13_000, 12_000, 11_000, 10_000]);
  t.deepEqual(seen.map((i) => i.automatic), [false, true, true, false, true, false, false]);
  for (const item of seen) {
    t.deepEqual(Object.keys(item).sort(), ['amount', 'automatic', 'bidder', 'bidderId', 'createdAt', 'id']);
    t.true(item.bidder === alias(auctionId, alice) || item.bidder === alias(auctionId, bob));
    t.is(item.bidderId, null, 'an anonymous viewer sees no account ids');
  }
  assertNoSecrets(t, seen, 28_900, 29_900);
  const count = (await getAuction(auctionId)).body.bidCount;
  t.is(count, publicIds.length, 'bidCount counts the automatic bids too');
});

test('bid history: an auction without bids is an empty page; unknown auction 404; forged cursor 400', async (t) => {
  const { auctionId } = await openAuction(app);
  t.deepEqual((await history(auctionId)).body, { items: [], nextCursor: null });
  assertProblem(t, await history(MISSING_ID), 404, 'auction-not-found');
  assertProblem(t, await history(auctionId, '?cursor=bm90LWEtY3Vyc29y'), 400, 'invalid-cursor');
  assertProblem(t, await history(auctionId, '?limit=0'), 400, 'validation-failed');
  assertProblem(t, await history(auctionId, '?limit=101'), 400, 'validation-failed');
});

// ---------------------------------------------------------------- GET /v1/me/bids

test('GET /v1/me/bids lists the auctions I bid on with leading and myHighestBid, paged, most recent first', async (t) => {
  const [me, rival] = await Promise.all([app.signup(), app.signup()]);
  const { auctionId: first } = await openAuction(app);
  const { auctionId: second } = await openAuction(app);
  const { auctionId: third } = await openAuction(app);
  const { auctionId: notMine } = await openAuction(app);
  await placeBid(app, me, first, { amount: 10_000 });
  await placeBid(app, me, second, { amount: 10_000, maxAmount: 20_000 });
  await placeBid(app, rival, second, { amount: 15_000 }); // my proxy answers at 16,000; I still lead
  await placeBid(app, me, third, { amount: 10_000 });
  await placeBid(app, rival, third, { amount: 30_000 }); // outbid
  await placeBid(app, rival, notMine, { amount: 10_000 });

  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: HttpResult = await app.request('GET', `/v1/me/bids?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: me.accessToken });
    t.is(res.status, 200, JSON.stringify(res.body));
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  t.is(pages, 2);
  t.deepEqual(items.map((i) => i.auction.id), [third, second, first]);
  t.deepEqual(items.map((i) => [i.leading, i.myHighestBid]), [[false, 10_000], [true, 16_000], [true, 10_000]]);
  t.like(items[0], { listingTitle: '경매 테스트 상품', auction: { leaderId: rival.id, currentPrice: 30_000, myMaxAmount: null } });
  t.like(items[1], { auction: { leaderId: me.id, myMaxAmount: 20_000 } });
  t.regex(items[0].lastBidAt, /Z$/);

  const rivals = await app.request('GET', '/v1/me/bids', { token: rival.accessToken });
  t.deepEqual(rivals.body.items.map((i: any) => i.auction.id), [notMine, third, second]);
  assertNoSecrets(t, rivals.body.items.find((i: any) => i.auction.id === second).auction, 20_000);
});

test('GET /v1/me/bids anonymous gives 401; with no bids an empty page', async (t) => {
  assertProblem(t, await app.request('GET', '/v1/me/bids'), 401, 'authentication-required');
  const nobody = await app.signup();
  t.deepEqual((await app.request('GET', '/v1/me/bids', { token: nobody.accessToken })).body, { items: [], nextCursor: null });
});

// ---------------------------------------------------------------- auction_events outbox

test('events: N visible bids give seq 1..N, each matching the auction right after its bid; private raises and rejections add none', async (t) => {
  const { auctionId } = await openAuction(app);
  const [alice, bob] = await Promise.all([app.signup(), app.signup()]);
  const steps: [TestUser, Body, boolean][] = [
    [alice, { amount: 10_000, maxAmount: 30_000 }, true],
    [bob, { amount: 15_000 }, true],
    [bob, { amount: 14_000 }, false], // too low
    [bob, { amount: 40_000 }, true],
    [bob, { amount: 41_000, maxAmount: 60_000 }, false], // bob leads: a private raise
    [alice, { amount: 62_000 }, true],
  ];
  let expectedSeq = 0;
  for (const [user, body, visible] of steps) {
    await bid(user, auctionId, body);
    if (visible) expectedSeq++;
    const current = (await getAuction(auctionId)).body;
    const stream = await events(auctionId);
    t.deepEqual(stream.map((e) => e.seq), Array.from({ length: expectedSeq }, (_, i) => i + 1), JSON.stringify(body));
    const last = stream.at(-1)!;
    t.is(last.type, 'bid');
    t.like(last.payload, {
      auctionId,
      seq: last.seq,
      currentPrice: current.currentPrice,
      leaderId: current.leaderId,
      bidCount: current.bidCount,
      endsAt: current.endsAt,
      minimumBid: current.minimumBid,
      status: 'open',
    });
    assertNoSecrets(t, last.payload, 30_000, 60_000);
  }
  const [row] = await sql('select event_seq from auctions where id = ?', [auctionId]);
  t.is(Number(row.event_seq), 4);
  t.like((await getAuction(auctionId)).body, { currentPrice: 62_000, leaderId: alice.id, bidCount: 7 });
});
