import test from 'ava';
import { startTestApi, type TestApi } from '../support/api.ts';
import { createListing, purchase } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';
import { MAX_PRICE } from '../../domain/shared/money.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('listings');
});
test.after.always(async () => {
  await app?.close();
});

/** A well-formed UUIDv7 that no listing has. */
const MISSING_ID = '01900000-0000-7000-8000-000000000000';

const listingBody = (overrides: Record<string, unknown> = {}) => ({
  title: '캠핑 의자 두 개',
  description: '한 번 쓴 접이식 의자입니다.',
  categoryId: 8,
  price: 30_000,
  ...overrides,
});

async function query<Row = any>(sql: string, params: unknown[] = []): Promise<Row[]> {
  return app.db.orm.em.fork().execute<Row[]>(sql, params);
}

const listingRow = async (id: string) => (await query('select * from listings where id = ?', [id]))[0];

// ---------------------------------------------------------------------------------------------
// Categories

test('GET /v1/categories lists the seeded categories in display order, with Korean names, anonymously', async (t) => {
  const res = await app.request('GET', '/v1/categories');
  t.is(res.status, 200);
  const items: { id: number; slug: string; name: string }[] = res.body.items;
  t.is(items.length, 15);
  t.deepEqual(items[0], { id: 1, slug: 'digital', name: '디지털기기' });
  t.deepEqual(items[14], { id: 15, slug: 'other', name: '기타 중고물품' });
  t.deepEqual(
    items.map((c) => c.id),
    Array.from({ length: 15 }, (_, i) => i + 1),
  );
  for (const category of items) {
    t.regex(category.name, /[가-힣]/);
    t.deepEqual(Object.keys(category).sort(), ['id', 'name', 'slug']);
  }
  t.is(new Set(items.map((c) => c.slug)).size, 15);
});

// ---------------------------------------------------------------------------------------------
// Create

test('POST /v1/listings returns 201 with Location, and the caller is the seller', async (t) => {
  const seller = await app.signup({ nickname: '캠핑러' });
  const res = await app.request('POST', '/v1/listings', {
    token: seller.accessToken,
    body: listingBody({ title: '  캠핑 의자 두 개  ', imageUrls: ['https://img.example.com/a.jpg', 'http://img.example.com/b.png'] }),
  });
  t.is(res.status, 201);
  t.is(res.headers.get('location'), `/v1/listings/${res.body.id}`);
  t.like(res.body, {
    sellerId: seller.id,
    seller: { id: seller.id, nickname: '캠핑러' },
    title: '캠핑 의자 두 개',
    description: '한 번 쓴 접이식 의자입니다.',
    categoryId: 8,
    price: 30_000,
    saleType: 'fixed',
    status: 'on_sale',
    likeCount: 0,
    likedByMe: false,
  });
  t.deepEqual(res.body.imageUrls, ['https://img.example.com/a.jpg', 'http://img.example.com/b.png']);
  t.regex(res.body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.false(Number.isNaN(Date.parse(res.body.createdAt)));
  t.false('phone' in res.body.seller);

  const row = await listingRow(res.body.id);
  t.is(row.seller_id, seller.id);
  t.is(row.status, 'on_sale');
  t.is(Number(row.price), 30_000);

  const fetched = await app.request('GET', res.headers.get('location')!);
  t.is(fetched.status, 200);
  t.is(fetched.body.id, res.body.id);
});

test('POST /v1/listings defaults imageUrls to empty, accepts a price of 0 and the largest price', async (t) => {
  const seller = await app.signup();
  const free = await createListing(app, seller, listingBody({ price: 0, description: '' }));
  t.deepEqual(free.imageUrls, []);
  t.is(free.price, 0);
  const dear = await createListing(app, seller, listingBody({ price: MAX_PRICE }));
  t.is(dear.price, MAX_PRICE);
  t.is(Number((await listingRow(dear.id)).price), MAX_PRICE);
});

test('image URLs with characters special to PostgreSQL arrays come back unchanged', async (t) => {
  const seller = await app.signup();
  const imageUrls = ['https://img.example.com/a,b.jpg', 'https://img.example.com/{c}.jpg', 'https://img.example.com/d"e.jpg', 'https://img.example.com/NULL'];
  const created = await createListing(app, seller, listingBody({ imageUrls }));
  t.deepEqual(created.imageUrls, imageUrls);
  const patched = await app.request('PATCH', `/v1/listings/${created.id}`, { token: seller.accessToken, body: { imageUrls: [...imageUrls].reverse() } });
  t.is(patched.status, 200);
  t.deepEqual(patched.body.imageUrls, [...imageUrls].reverse());
});

const badCreateBodies: [string, unknown][] = [
  ['a sellerId the client tries to set', listingBody({ sellerId: '01900000-0000-7000-8000-000000000001' })],
  ['a status the client tries to set', listingBody({ status: 'sold' })],
  ['a likeCount the client tries to set', listingBody({ likeCount: 100 })],
  ['an unknown field', listingBody({ color: 'red' })],
  ['a price as a string', listingBody({ price: '30000' })],
  ['a negative price', listingBody({ price: -1 })],
  ['a fractional price', listingBody({ price: 100.5 })],
  ['a price beyond the limit', listingBody({ price: 1_000_000_000_001 })],
  ['a missing price', { title: '의자', description: '', categoryId: 8 }],
  ['a title as a number', listingBody({ title: 123 })],
  ['a blank title', listingBody({ title: '   ' })],
  ['a title of 101 characters', listingBody({ title: '가'.repeat(101) })],
  ['a description over 5000 characters', listingBody({ description: 'x'.repeat(5001) })],
  ['a missing description', { title: '의자', categoryId: 8, price: 1 }],
  ['a category that does not exist', listingBody({ categoryId: 999 })],
  ['category 0', listingBody({ categoryId: 0 })],
  ['a category as a string', listingBody({ categoryId: '8' })],
  ['a fractional category', listingBody({ categoryId: 1.5 })],
  ['11 image URLs', listingBody({ imageUrls: Array.from({ length: 11 }, (_, i) => `https://img.example.com/${i}.jpg`) })],
  ['an ftp image URL', listingBody({ imageUrls: ['ftp://img.example.com/a.jpg'] })],
  ['a javascript: image URL', listingBody({ imageUrls: ['javascript:alert(1)'] })],
  ['an image URL that is not a URL', listingBody({ imageUrls: ['not a url'] })],
  ['imageUrls as a string', listingBody({ imageUrls: 'https://img.example.com/a.jpg' })],
  ['a NUL character in the title', listingBody({ title: '의자\u0000' })],
  ['a NUL character in the description', listingBody({ description: 'a\u0000b' })],
  ['a NUL character in an image URL', listingBody({ imageUrls: ['https://img.example.com/a\u0000.jpg'] })],
  ['a JSON array body', [listingBody()]],
  ['a JSON null body', null],
  ['a JSON string body', 'listing'],
];

for (const [name, body] of badCreateBodies) {
  test(`POST /v1/listings with ${name} gives 400 and creates nothing`, async (t) => {
    const seller = await app.signup();
    const res = await app.request('POST', '/v1/listings', { token: seller.accessToken, body });
    assertProblem(t, res, 400);
    t.regex(res.body.type, /\/(validation-failed|unknown-category)$/);
    const [row] = await query<{ n: number }>('select count(*)::int as n from listings where seller_id = ?', [seller.id]);
    t.is(row!.n, 0);
  });
}

test('POST /v1/listings names the offending field', async (t) => {
  const seller = await app.signup();
  const unknownCategory = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: listingBody({ categoryId: 999 }) });
  assertProblem(t, unknownCategory, 400, 'unknown-category');
  const badPrice = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: listingBody({ price: -5 }) });
  assertProblem(t, badPrice, 400, 'validation-failed');
  t.true(badPrice.body.errors.some((e: { in: string; path: string }) => e.in === 'body' && e.path === 'price'));
  const sneaky = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: listingBody({ sellerId: seller.id }) });
  assertProblem(t, sneaky, 400, 'validation-failed');
  t.regex(JSON.stringify(sneaky.body.errors), /sellerId/);
});

test('POST /v1/listings with malformed JSON, a non-JSON content type or an oversized body never gives a 500', async (t) => {
  const seller = await app.signup();
  const malformed = await app.request('POST', '/v1/listings', { token: seller.accessToken, raw: '{"title": "의자",', headers: { 'content-type': 'application/json' } });
  assertProblem(t, malformed, 400, 'malformed-json');
  const textPlain = await app.request('POST', '/v1/listings', { token: seller.accessToken, raw: 'title=의자', headers: { 'content-type': 'text/plain' } });
  assertProblem(t, textPlain, 415);
  const empty = await app.request('POST', '/v1/listings', { token: seller.accessToken });
  assertProblem(t, empty, 400, 'validation-failed');
  const huge = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: listingBody({ description: 'x'.repeat(200_000) }) });
  assertProblem(t, huge, 413);
  const [row] = await query<{ n: number }>('select count(*)::int as n from listings where seller_id = ?', [seller.id]);
  t.is(row!.n, 0);
});

test('POST /v1/listings anonymously or with a bad token gives 401 and creates nothing', async (t) => {
  const title = `anonymous-${Date.now()}-${Math.random()}`;
  const anonymous = await app.request('POST', '/v1/listings', { body: listingBody({ title }) });
  assertProblem(t, anonymous, 401, 'authentication-required');
  const garbage = await app.request('POST', '/v1/listings', { body: listingBody({ title }), token: 'not-a-jwt' });
  assertProblem(t, garbage, 401, 'invalid-token');
  const [row] = await query<{ n: number }>('select count(*)::int as n from listings where title = ?', [title]);
  t.is(row!.n, 0);
});

// ---------------------------------------------------------------------------------------------
// Read

test('GET /v1/listings/:id: likedByMe is null anonymously and true or false for a caller', async (t) => {
  const seller = await app.signup();
  const fan = await app.signup();
  const stranger = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  t.is((await app.request('PUT', `/v1/listings/${listing.id}/like`, { token: fan.accessToken })).status, 200);

  const anonymous = await app.request('GET', `/v1/listings/${listing.id}`);
  t.is(anonymous.status, 200);
  t.is(anonymous.body.likedByMe, null);
  t.is(anonymous.body.likeCount, 1);
  t.is((await app.request('GET', `/v1/listings/${listing.id}`, { token: fan.accessToken })).body.likedByMe, true);
  t.is((await app.request('GET', `/v1/listings/${listing.id}`, { token: stranger.accessToken })).body.likedByMe, false);
  t.is((await app.request('GET', `/v1/listings/${listing.id}`, { token: seller.accessToken })).body.likedByMe, false);
});

test('GET /v1/listings/:id gives 404 for an unknown id and 400 for an id that is not a UUID', async (t) => {
  assertProblem(t, await app.request('GET', `/v1/listings/${MISSING_ID}`), 404, 'listing-not-found');
  for (const id of ['not-a-uuid', '123', `${MISSING_ID}x`, "1' or '1'='1"]) {
    assertProblem(t, await app.request('GET', `/v1/listings/${encodeURIComponent(id)}`), 400, 'validation-failed');
  }
});

test('GET /v1/listings/:id with a bad token gives 401 even though the route allows anonymous callers', async (t) => {
  const seller = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  assertProblem(t, await app.request('GET', `/v1/listings/${listing.id}`, { token: 'garbage' }), 401);
});

// ---------------------------------------------------------------------------------------------
// Update

test('PATCH by the owner changes the given fields and leaves the others', async (t) => {
  const seller = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  const res = await app.request('PATCH', `/v1/listings/${listing.id}`, {
    token: seller.accessToken,
    body: { title: '캠핑 의자 세 개', price: 25_000, categoryId: 15, imageUrls: ['https://img.example.com/x.jpg'] },
  });
  t.is(res.status, 200);
  t.like(res.body, {
    id: listing.id,
    sellerId: seller.id,
    title: '캠핑 의자 세 개',
    description: listing.description,
    price: 25_000,
    categoryId: 15,
    status: 'on_sale',
  });
  t.deepEqual(res.body.imageUrls, ['https://img.example.com/x.jpg']);
  t.true(Date.parse(res.body.updatedAt) >= Date.parse(listing.updatedAt));
  t.is(res.body.createdAt, listing.createdAt);

  const row = await listingRow(listing.id);
  t.is(row.title, '캠핑 의자 세 개');
  t.is(Number(row.price), 25_000);
  t.is(row.category_id, 15);

  const description = await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { description: '' } });
  t.is(description.status, 200);
  t.is(description.body.description, '');
  t.is(description.body.title, '캠핑 의자 세 개');
});

test('PATCH by another user gives 403 and changes nothing', async (t) => {
  const seller = await app.signup();
  const other = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  for (const body of [{ price: 1 }, { title: '내 거' }, { status: 'sold' }]) {
    assertProblem(t, await app.request('PATCH', `/v1/listings/${listing.id}`, { token: other.accessToken, body }), 403, 'not-listing-owner');
  }
  const row = await listingRow(listing.id);
  t.is(Number(row.price), 30_000);
  t.is(row.title, listing.title);
  t.is(row.status, 'on_sale');
});

test('PATCH anonymously gives 401, an unknown listing 404, a non-UUID id 400', async (t) => {
  const seller = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  assertProblem(t, await app.request('PATCH', `/v1/listings/${listing.id}`, { body: { price: 1 } }), 401);
  assertProblem(t, await app.request('PATCH', `/v1/listings/${MISSING_ID}`, { token: seller.accessToken, body: { price: 1 } }), 404, 'listing-not-found');
  assertProblem(t, await app.request('PATCH', '/v1/listings/nope', { token: seller.accessToken, body: { price: 1 } }), 400);
  t.is(Number((await listingRow(listing.id)).price), 30_000);
});

const badPatches: [string, unknown][] = [
  ['an empty patch', {}],
  ['no body at all', undefined],
  ['a sellerId', { sellerId: '01900000-0000-7000-8000-000000000001' }],
  ['a likeCount', { likeCount: 1000 }],
  ['a saleType', { saleType: 'auction' }],
  ['an id', { id: MISSING_ID }],
  ['an unknown status', { status: 'gone' }],
  ['a Korean status label instead of the code', { status: '판매중' }],
  ['a negative price', { price: -100 }],
  ['a fractional price', { price: 99.9 }],
  ['a price as a string', { price: '100' }],
  ['a null price', { price: null }],
  ['a blank title', { title: ' ' }],
  ['a category that does not exist', { categoryId: 999 }],
  ['a non-http image URL', { imageUrls: ['file:///etc/passwd'] }],
  ['11 image URLs', { imageUrls: Array.from({ length: 11 }, (_, i) => `https://img.example.com/${i}.jpg`) }],
  ['a valid field next to an unknown one', { title: '새 제목', color: 'red' }],
  ['a NUL character in the title', { title: '\u0000' }],
];

for (const [name, body] of badPatches) {
  test(`PATCH with ${name} gives 400 and changes nothing`, async (t) => {
    const seller = await app.signup();
    const listing = await createListing(app, seller, listingBody());
    const res = await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body });
    assertProblem(t, res, 400);
    const row = await listingRow(listing.id);
    t.is(row.title, listing.title);
    t.is(Number(row.price), listing.price);
    t.is(row.status, 'on_sale');
    t.is(row.category_id, listing.categoryId);
    t.is(row.like_count, 0);
    t.is(row.seller_id, seller.id);
    t.is(row.sale_type, 'fixed');
  });
}

test('the seller moves a fixed-price listing with no trade between on_sale, reserved and sold by hand', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  for (const status of ['reserved', 'sold', 'on_sale', 'sold', 'reserved', 'on_sale'] as const) {
    const res = await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { status } });
    t.is(res.status, 200, status);
    t.is(res.body.status, status);
    t.is((await listingRow(listing.id)).status, status);
  }
  // Setting the status it already has is a no-op, not an error.
  t.is((await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { status: 'on_sale' } })).status, 200);

  // A listing reserved by hand cannot be bought; back on sale it can.
  t.is((await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { status: 'reserved' } })).status, 200);
  assertProblem(t, await app.request('POST', `/v1/listings/${listing.id}/purchase`, { token: buyer.accessToken }), 409, 'listing-not-on-sale');
  t.is((await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { status: 'on_sale' } })).status, 200);
  t.is((await app.request('POST', `/v1/listings/${listing.id}/purchase`, { token: buyer.accessToken })).status, 201);
});

test('PATCH price on a listing reserved by a purchase gives 409; other fields may still change', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  await purchase(app, buyer, listing.id);

  assertProblem(t, await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { price: 1 } }), 409, 'listing-not-on-sale');
  // A rejected patch is all or nothing: the title sent with the price is not applied either.
  assertProblem(t, await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { price: 1, title: '바뀜' } }), 409);
  let row = await listingRow(listing.id);
  t.is(Number(row.price), 30_000);
  t.is(row.title, listing.title);

  const sameFields = await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { title: '예약된 의자', price: 30_000 } });
  t.is(sameFields.status, 200);
  t.is(sameFields.body.title, '예약된 의자');
  row = await listingRow(listing.id);
  t.is(row.status, 'reserved');
});

test('PATCH price on a listing reserved by hand gives 409', async (t) => {
  const seller = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  t.is((await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { status: 'reserved' } })).status, 200);
  assertProblem(t, await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { price: 10 } }), 409, 'listing-not-on-sale');
  t.is(Number((await listingRow(listing.id)).price), 30_000);
});

test('PATCH status while a trade decides it gives 409, for a pending and for a completed trade', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  const trade = await purchase(app, buyer, listing.id);
  for (const status of ['on_sale', 'sold']) {
    assertProblem(t, await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { status } }), 409, 'status-set-by-trade');
  }
  t.is((await listingRow(listing.id)).status, 'reserved');

  t.is((await app.request('POST', `/v1/trades/${trade.id}/complete`, { token: buyer.accessToken })).status, 200);
  for (const status of ['on_sale', 'reserved']) {
    assertProblem(t, await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { status } }), 409, 'status-set-by-trade');
  }
  t.is((await listingRow(listing.id)).status, 'sold');
});

test('after a cancelled trade the seller may set the status by hand again', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  const trade = await purchase(app, buyer, listing.id);
  t.is((await app.request('POST', `/v1/trades/${trade.id}/cancel`, { token: seller.accessToken })).status, 200);
  const res = await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { status: 'sold', price: 20_000 } });
  t.is(res.status, 200);
  t.like(res.body, { status: 'sold', price: 20_000 });
});

// ---------------------------------------------------------------------------------------------
// Delete

test('DELETE by the owner gives 204, the listing is gone, and its likes go with it', async (t) => {
  const seller = await app.signup();
  const fans = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller, listingBody());
  const kept = await createListing(app, seller, listingBody({ title: '남는 의자' }));
  for (const fan of fans) {
    t.is((await app.request('PUT', `/v1/listings/${listing.id}/like`, { token: fan.accessToken })).status, 200);
    t.is((await app.request('PUT', `/v1/listings/${kept.id}/like`, { token: fan.accessToken })).status, 200);
  }

  const res = await app.request('DELETE', `/v1/listings/${listing.id}`, { token: seller.accessToken });
  t.is(res.status, 204);
  t.is(res.body, '');
  assertProblem(t, await app.request('GET', `/v1/listings/${listing.id}`), 404);
  t.is(await listingRow(listing.id), undefined);
  const [likes] = await query<{ n: number }>('select count(*)::int as n from listing_likes where listing_id = ?', [listing.id]);
  t.is(likes!.n, 0);
  const [keptLikes] = await query<{ n: number }>('select count(*)::int as n from listing_likes where listing_id = ?', [kept.id]);
  t.is(keptLikes!.n, 2);

  const watchlist = await app.request('GET', '/v1/me/likes', { token: fans[0]!.accessToken });
  t.deepEqual(
    watchlist.body.items.map((item: { id: string }) => item.id),
    [kept.id],
  );
  assertProblem(t, await app.request('DELETE', `/v1/listings/${listing.id}`, { token: seller.accessToken }), 404, 'listing-not-found');
});

test('DELETE by another user gives 403, anonymously 401, and the listing stays', async (t) => {
  const seller = await app.signup();
  const other = await app.signup();
  const listing = await createListing(app, seller, listingBody());
  assertProblem(t, await app.request('DELETE', `/v1/listings/${listing.id}`, { token: other.accessToken }), 403, 'not-listing-owner');
  assertProblem(t, await app.request('DELETE', `/v1/listings/${listing.id}`), 401);
  t.truthy(await listingRow(listing.id));
});

test('DELETE of an unknown listing gives 404, a non-UUID id 400', async (t) => {
  const seller = await app.signup();
  assertProblem(t, await app.request('DELETE', `/v1/listings/${MISSING_ID}`, { token: seller.accessToken }), 404);
  assertProblem(t, await app.request('DELETE', '/v1/listings/123', { token: seller.accessToken }), 400);
});

test('DELETE of a listing with a trade gives 409, also once the trade is cancelled or completed', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const cancelled = await createListing(app, seller, listingBody());
  const cancelledTrade = await purchase(app, buyer, cancelled.id);
  assertProblem(t, await app.request('DELETE', `/v1/listings/${cancelled.id}`, { token: seller.accessToken }), 409, 'listing-has-trade');
  t.is((await app.request('POST', `/v1/trades/${cancelledTrade.id}/cancel`, { token: buyer.accessToken })).status, 200);
  assertProblem(t, await app.request('DELETE', `/v1/listings/${cancelled.id}`, { token: seller.accessToken }), 409, 'listing-has-trade');

  const completed = await createListing(app, seller, listingBody());
  const completedTrade = await purchase(app, buyer, completed.id);
  t.is((await app.request('POST', `/v1/trades/${completedTrade.id}/complete`, { token: seller.accessToken })).status, 200);
  assertProblem(t, await app.request('DELETE', `/v1/listings/${completed.id}`, { token: seller.accessToken }), 409, 'listing-has-trade');

  t.truthy(await listingRow(cancelled.id));
  t.truthy(await listingRow(completed.id));
  t.is((await app.request('GET', `/v1/trades/${cancelledTrade.id}`, { token: buyer.accessToken })).status, 200);
});

test('a purchase racing a delete: either the delete wins (purchase 404) or the purchase wins (delete 409)', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  for (let round = 0; round < 5; round++) {
    const listing = await createListing(app, seller, listingBody());
    const [deleted, bought] = await Promise.all([
      app.request('DELETE', `/v1/listings/${listing.id}`, { token: seller.accessToken }),
      app.request('POST', `/v1/listings/${listing.id}/purchase`, { token: buyer.accessToken }),
    ]);
    const outcome = [deleted.status, bought.status].join(',');
    t.true(outcome === '204,404' || outcome === '409,201', outcome);
    const [trades] = await query<{ n: number }>('select count(*)::int as n from trades where listing_id = ?', [listing.id]);
    t.is(trades!.n, bought.status === 201 ? 1 : 0);
  }
});
