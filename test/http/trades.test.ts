import test from 'ava';
import pg from 'pg';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { createListing, purchase } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('trades');
});
test.after.always(async () => {
  await app?.close();
});

const MISSING_ID = '01900000-0000-7000-8000-000000000000';

/** What the listings traded here are, unless a test says otherwise. */
const IPHONE = { title: '아이폰 15 프로 판매', description: '배터리 성능 98%', categoryId: 1, price: 1_200_000 };

async function query<Row = any>(sql: string, params: unknown[] = []): Promise<Row[]> {
  return app.db.orm.em.fork().execute<Row[]>(sql, params);
}

const listingStatus = async (id: string) => (await query<{ status: string }>('select status from listings where id = ?', [id]))[0]!.status;
const tradesOf = (listingId: string) => query<{ id: string; buyer_id: string; status: string }>('select id, buyer_id, status from trades where listing_id = ? order by created_at', [listingId]);

const buy = (buyer: TestUser | undefined, listingId: string) =>
  app.request('POST', `/v1/listings/${listingId}/purchase`, { token: buyer?.accessToken });
const settle = (user: TestUser | undefined, tradeId: string, action: 'complete' | 'cancel') =>
  app.request('POST', `/v1/trades/${tradeId}/${action}`, { token: user?.accessToken });

/** A seller, a buyer and a pending trade between them. */
async function pendingTrade() {
  const seller = await app.signup();
  const buyer = await app.signup();
  const listing = await createListing(app, seller, IPHONE);
  return { seller, buyer, listing, trade: await purchase(app, buyer, listing.id) };
}

// Serial tests run before the concurrent ones, so nothing else touches the database meanwhile.
test.serial('10 buyers clicking at the same moment: exactly one 201, nine 409, one trade', async (t) => {
  const seller = await app.signup();
  const buyers = await Promise.all(Array.from({ length: 10 }, () => app.signup()));
  const listing = await createListing(app, seller, IPHONE);

  // The partial unique index on trades would turn a lost race into a 409 on its own; without it,
  // only the row lock in purchaseListing keeps a second buyer out, which is what is tested here.
  const admin = new pg.Client({ connectionString: app.db.url });
  await admin.connect();
  await admin.query('drop index trades_one_live_per_listing');
  try {
    // Hold the listing so that every purchase is in flight and waiting when it is released.
    await admin.query('begin');
    await admin.query('select 1 from listings where id = $1 for update', [listing.id]);
    const requests = buyers.map((buyer) => buy(buyer, listing.id));
    const deadline = Date.now() + 10_000;
    let allWaiting = false;
    for (;;) {
      // Asked outside the admin transaction, whose view of pg_stat_activity would stay frozen.
      const [waiting] = await query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      allWaiting = waiting!.n >= buyers.length;
      if (allWaiting || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.query('commit');
    const results = await Promise.all(requests);
    t.true(allWaiting, 'every purchase was in flight at once');

    t.deepEqual(
      results.map((res) => res.status).sort(),
      [201, ...Array<number>(9).fill(409)],
    );
    for (const res of results.filter((r) => r.status === 409)) assertProblem(t, res, 409, 'listing-not-on-sale');
    const winner = results.findIndex((res) => res.status === 201);
    const trades = await tradesOf(listing.id);
    t.is(trades.length, 1);
    t.is(trades[0]!.buyer_id, buyers[winner]!.id);
    t.is(trades[0]!.id, results[winner]!.body.id);
    t.is(await listingStatus(listing.id), 'reserved');
  } finally {
    try {
      await admin.query('rollback');
      // After a lost race (the failure this test exists to catch) the extra trades must go
      // before the index can come back for the other tests.
      await admin.query('delete from trades t where listing_id = $1 and exists (select 1 from trades o where o.listing_id = t.listing_id and o.id < t.id)', [listing.id]);
      await admin.query(`create unique index trades_one_live_per_listing on trades (listing_id) where status <> 'cancelled'`);
    } finally {
      await admin.end();
    }
  }
});

test('POST /v1/listings/:id/purchase gives 201 with the trade, and the listing becomes reserved', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const listing = await createListing(app, seller, { ...IPHONE, price: 950_000 });
  const res = await buy(buyer, listing.id);
  t.is(res.status, 201);
  t.is(res.headers.get('location'), `/v1/trades/${res.body.id}`);
  t.like(res.body, {
    listingId: listing.id,
    listingTitle: '아이폰 15 프로 판매',
    sellerId: seller.id,
    buyerId: buyer.id,
    price: 950_000,
    kind: 'purchase',
    status: 'pending',
    completedAt: null,
  });
  t.false(Number.isNaN(Date.parse(res.body.createdAt)));

  const view = await app.request('GET', `/v1/listings/${listing.id}`);
  t.is(view.body.status, 'reserved');
  const trades = await tradesOf(listing.id);
  t.deepEqual(trades, [{ id: res.body.id, buyer_id: buyer.id, status: 'pending' }]);
  const fetched = await app.request('GET', res.headers.get('location')!, { token: buyer.accessToken });
  t.deepEqual(fetched.body, res.body);
});

test('buying your own listing gives 403 and changes nothing', async (t) => {
  const seller = await app.signup();
  const listing = await createListing(app, seller, IPHONE);
  assertProblem(t, await buy(seller, listing.id), 403, 'own-listing');
  t.is(await listingStatus(listing.id), 'on_sale');
  t.deepEqual(await tradesOf(listing.id), []);
});

test('buying a listing that is not on sale gives 409: reserved or sold, by a trade or by hand', async (t) => {
  const late = await app.signup();

  const { listing: reserved, trade } = await pendingTrade();
  assertProblem(t, await buy(late, reserved.id), 409, 'listing-not-on-sale');
  t.is((await tradesOf(reserved.id)).length, 1);

  const { listing: sold, trade: soldTrade, buyer } = await pendingTrade();
  t.is((await settle(buyer, soldTrade.id, 'complete')).status, 200);
  assertProblem(t, await buy(late, sold.id), 409, 'listing-not-on-sale');
  t.is(await listingStatus(sold.id), 'sold');

  const seller = await app.signup();
  for (const status of ['reserved', 'sold']) {
    const listing = await createListing(app, seller, IPHONE);
    t.is((await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { status } })).status, 200);
    assertProblem(t, await buy(late, listing.id), 409, 'listing-not-on-sale');
    t.is(await listingStatus(listing.id), status);
    t.deepEqual(await tradesOf(listing.id), []);
  }
  t.is((await app.request('GET', `/v1/trades/${trade.id}`, { token: late.accessToken })).status, 403);
});

test('purchase of an unknown listing gives 404, a non-UUID id 400, and anonymously 401', async (t) => {
  const buyer = await app.signup();
  const seller = await app.signup();
  const listing = await createListing(app, seller, IPHONE);
  assertProblem(t, await buy(buyer, MISSING_ID), 404, 'listing-not-found');
  assertProblem(t, await buy(buyer, 'not-a-uuid'), 400, 'validation-failed');
  assertProblem(t, await buy(undefined, listing.id), 401, 'authentication-required');
  t.is(await listingStatus(listing.id), 'on_sale');
  t.deepEqual(await tradesOf(listing.id), []);
  const [row] = await query<{ n: number }>('select count(*)::int as n from trades where buyer_id = ?', [buyer.id]);
  t.is(row!.n, 0);
});

test('the trade keeps the price at the moment of purchase', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const listing = await createListing(app, seller, { ...IPHONE, price: 10_000 });
  t.is((await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { price: 8_000 } })).status, 200);
  const res = await buy(buyer, listing.id);
  t.is(res.body.price, 8_000);
});

for (const party of ['buyer', 'seller'] as const) {
  test(`the ${party} completes a trade: 200, completedAt is set and the listing is sold`, async (t) => {
    const parties = await pendingTrade();
    const res = await settle(parties[party], parties.trade.id, 'complete');
    t.is(res.status, 200);
    t.like(res.body, { id: parties.trade.id, status: 'completed', buyerId: parties.buyer.id, sellerId: parties.seller.id });
    t.false(Number.isNaN(Date.parse(res.body.completedAt)));
    t.true(Date.parse(res.body.completedAt) >= Date.parse(res.body.createdAt));
    t.is(await listingStatus(parties.listing.id), 'sold');
    t.deepEqual((await tradesOf(parties.listing.id)).map((trade) => trade.status), ['completed']);
    const view = await app.request('GET', `/v1/trades/${parties.trade.id}`, { token: parties.seller.accessToken });
    t.deepEqual(view.body, res.body);
  });

  test(`the ${party} cancels a trade: 200, the listing is on sale again and can be bought again`, async (t) => {
    const parties = await pendingTrade();
    const res = await settle(parties[party], parties.trade.id, 'cancel');
    t.is(res.status, 200);
    t.like(res.body, { id: parties.trade.id, status: 'cancelled', completedAt: null });
    t.is(await listingStatus(parties.listing.id), 'on_sale');
    t.is((await app.request('GET', `/v1/listings/${parties.listing.id}`)).body.status, 'on_sale');

    const nextBuyer = await app.signup();
    const again = await buy(nextBuyer, parties.listing.id);
    t.is(again.status, 201);
    t.not(again.body.id, parties.trade.id);
    t.is(again.body.buyerId, nextBuyer.id);
    t.is(await listingStatus(parties.listing.id), 'reserved');
    t.deepEqual(
      (await tradesOf(parties.listing.id)).map((trade) => trade.status),
      ['cancelled', 'pending'],
    );
    // The first buyer, having cancelled, may not revive the old trade.
    assertProblem(t, await settle(parties.buyer, parties.trade.id, 'complete'), 409, 'trade-not-pending');
  });
}

test('a user outside the trade gets 403 for complete, cancel and read, and nothing changes', async (t) => {
  const { listing, trade } = await pendingTrade();
  const stranger = await app.signup();
  assertProblem(t, await settle(stranger, trade.id, 'complete'), 403, 'not-trade-party');
  assertProblem(t, await settle(stranger, trade.id, 'cancel'), 403, 'not-trade-party');
  assertProblem(t, await app.request('GET', `/v1/trades/${trade.id}`, { token: stranger.accessToken }), 403, 'not-trade-party');
  t.is(await listingStatus(listing.id), 'reserved');
  t.deepEqual((await tradesOf(listing.id)).map((row) => row.status), ['pending']);
});

for (const [first, second] of [
  ['complete', 'complete'],
  ['complete', 'cancel'],
  ['cancel', 'complete'],
  ['cancel', 'cancel'],
] as const) {
  test(`${second} after ${first} gives 409 and leaves the trade and listing as they were`, async (t) => {
    const { buyer, seller, listing, trade } = await pendingTrade();
    t.is((await settle(buyer, trade.id, first)).status, 200);
    const expectedTrade = first === 'complete' ? 'completed' : 'cancelled';
    const expectedListing = first === 'complete' ? 'sold' : 'on_sale';
    for (const user of [buyer, seller]) assertProblem(t, await settle(user, trade.id, second), 409, 'trade-not-pending');
    t.is(await listingStatus(listing.id), expectedListing);
    t.deepEqual((await tradesOf(listing.id)).map((row) => row.status), [expectedTrade]);
  });
}

test('complete and cancel at the same moment: one wins, the other gets 409, and the listing agrees', async (t) => {
  for (let round = 0; round < 5; round++) {
    const { buyer, seller, listing, trade } = await pendingTrade();
    const [completed, cancelled] = await Promise.all([settle(buyer, trade.id, 'complete'), settle(seller, trade.id, 'cancel')]);
    t.deepEqual([completed.status, cancelled.status].sort(), [200, 409]);
    const [row] = await tradesOf(listing.id);
    const status = await listingStatus(listing.id);
    if (completed.status === 200) {
      t.is(row!.status, 'completed');
      t.is(status, 'sold');
    } else {
      t.is(row!.status, 'cancelled');
      t.is(status, 'on_sale');
    }
  }
});

test('complete and cancel of an unknown trade give 404, a non-UUID id 400, anonymously 401', async (t) => {
  const { buyer, listing, trade } = await pendingTrade();
  for (const action of ['complete', 'cancel'] as const) {
    assertProblem(t, await settle(buyer, MISSING_ID, action), 404, 'trade-not-found');
    assertProblem(t, await settle(buyer, 'nope', action), 400, 'validation-failed');
    assertProblem(t, await settle(undefined, trade.id, action), 401, 'authentication-required');
  }
  t.is(await listingStatus(listing.id), 'reserved');
  t.deepEqual((await tradesOf(listing.id)).map((row) => row.status), ['pending']);
});

test('GET /v1/trades/:id: 200 for the buyer and the seller, 404 unknown, 401 anonymous, 400 bad id', async (t) => {
  const { buyer, seller, trade } = await pendingTrade();
  const asBuyer = await app.request('GET', `/v1/trades/${trade.id}`, { token: buyer.accessToken });
  const asSeller = await app.request('GET', `/v1/trades/${trade.id}`, { token: seller.accessToken });
  t.is(asBuyer.status, 200);
  t.is(asSeller.status, 200);
  t.deepEqual(asBuyer.body, trade);
  t.deepEqual(asSeller.body, trade);
  assertProblem(t, await app.request('GET', `/v1/trades/${MISSING_ID}`, { token: buyer.accessToken }), 404, 'trade-not-found');
  assertProblem(t, await app.request('GET', `/v1/trades/${trade.id}`), 401);
  assertProblem(t, await app.request('GET', '/v1/trades/123', { token: buyer.accessToken }), 400);
});

test('GET /v1/me/trades lists my trades as buyer (the default) or as seller, newest first, and pages by keyset', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const otherBuyer = await app.signup();
  const bought: string[] = [];
  for (let i = 0; i < 5; i++) {
    const listing = await createListing(app, seller, { ...IPHONE, title: `거래 ${i}` });
    const res = await buy(buyer, listing.id);
    t.is(res.status, 201);
    bought.unshift(res.body.id);
  }
  const othersListing = await createListing(app, seller, { ...IPHONE, title: '다른 사람 거래' });
  const othersTrade = (await buy(otherBuyer, othersListing.id)).body;
  // A trade where the buyer is the seller, to show that roles are not mixed.
  const ownListing = await createListing(app, buyer, { ...IPHONE, title: '내가 파는 것' });
  const sold = (await buy(otherBuyer, ownListing.id)).body;
  t.is((await settle(buyer, bought[2]!, 'cancel')).status, 200);

  const ids = (res: HttpResult) => res.body.items.map((trade: { id: string }) => trade.id);
  const asBuyer = await app.request('GET', '/v1/me/trades', { token: buyer.accessToken });
  t.is(asBuyer.status, 200);
  t.deepEqual(ids(asBuyer), bought);
  t.is(asBuyer.body.nextCursor, null);
  t.is(asBuyer.body.items[2].status, 'cancelled');
  t.deepEqual(ids(await app.request('GET', '/v1/me/trades?role=buyer', { token: buyer.accessToken })), bought);
  t.deepEqual(ids(await app.request('GET', '/v1/me/trades?role=seller', { token: buyer.accessToken })), [sold.id]);
  t.deepEqual(ids(await app.request('GET', '/v1/me/trades?role=seller', { token: seller.accessToken })), [othersTrade.id, ...bought]);
  t.deepEqual(ids(await app.request('GET', '/v1/me/trades', { token: seller.accessToken })), []);

  for (const limit of [1, 2, 5]) {
    const walked: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const path: string = `/v1/me/trades?role=buyer&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await app.request('GET', path, { token: buyer.accessToken });
      t.is(page.status, 200);
      t.true(page.body.items.length <= limit);
      walked.push(...ids(page));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    t.deepEqual(walked, bought, `limit ${limit}`);
    t.is(pages, Math.ceil(bought.length / limit), `limit ${limit}`);
  }
});

test('GET /v1/me/trades rejects an unknown role, a bad limit or cursor with 400, and anonymous callers with 401', async (t) => {
  const user = await app.signup();
  for (const query of ['role=admin', 'role=', 'limit=101', 'limit=0', 'cursor=garbage', `cursor=${Buffer.from('["x","y"]').toString('base64url')}`]) {
    assertProblem(t, await app.request('GET', `/v1/me/trades?${query}`, { token: user.accessToken }), 400);
  }
  assertProblem(t, await app.request('GET', '/v1/me/trades'), 401, 'authentication-required');
});
