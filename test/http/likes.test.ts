import test, { type ExecutionContext } from 'ava';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { createListing } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('likes');
});
test.after.always(async () => {
  await app?.close();
});

const MISSING_ID = '01900000-0000-7000-8000-000000000000';

/** The fields of the listings liked here: a car seat unless titled otherwise. */
const carSeat = (title = '유아용 카시트') => ({ title, description: '깨끗하게 썼어요', categoryId: 4, price: 80_000 });

async function query<Row = any>(sql: string, params: unknown[] = []): Promise<Row[]> {
  return app.db.orm.em.fork().execute<Row[]>(sql, params);
}

/** The counter on the listing and the like rows behind it. */
async function likeState(listingId: string) {
  const [row] = await query<{ like_count: number; rows: number }>(
    'select like_count, (select count(*)::int from listing_likes where listing_id = l.id) as rows from listings l where id = ?',
    [listingId],
  );
  return row!;
}

const like = (user: TestUser, listingId: string) => app.request('PUT', `/v1/listings/${listingId}/like`, { token: user.accessToken });
const unlike = (user: TestUser, listingId: string) => app.request('DELETE', `/v1/listings/${listingId}/like`, { token: user.accessToken });

/** Follows nextCursor to the end; fails the test if a page is larger than the limit. */
async function walkMyLikes(t: ExecutionContext, user: TestUser, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const path: string = `/v1/me/likes?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await app.request('GET', path, { token: user.accessToken });
    t.is(res.status, 200);
    t.true(res.body.items.length <= limit);
    ids.push(...res.body.items.map((item: { id: string }) => item.id));
    cursor = res.body.nextCursor;
    if (++pages > 50) throw new Error('the cursor never ends');
  } while (cursor);
  return { ids, pages };
}

test('PUT like is idempotent: liked once, the count is 1 however often it is sent', async (t) => {
  const seller = await app.signup();
  const fan = await app.signup();
  const listing = await createListing(app, seller, carSeat());
  for (let i = 0; i < 3; i++) {
    const res = await like(fan, listing.id);
    t.is(res.status, 200);
    t.deepEqual(res.body, { listingId: listing.id, liked: true, likeCount: 1 });
  }
  t.deepEqual(await likeState(listing.id), { like_count: 1, rows: 1 });
  const view = await app.request('GET', `/v1/listings/${listing.id}`, { token: fan.accessToken });
  t.like(view.body, { likeCount: 1, likedByMe: true });
});

test('DELETE like is idempotent and never drives the count below the real number of likes', async (t) => {
  const seller = await app.signup();
  const fan = await app.signup();
  const other = await app.signup();
  const listing = await createListing(app, seller, carSeat());
  t.is((await like(fan, listing.id)).body.likeCount, 1);
  t.is((await like(other, listing.id)).body.likeCount, 2);
  for (let i = 0; i < 3; i++) {
    const res = await unlike(fan, listing.id);
    t.is(res.status, 200);
    t.deepEqual(res.body, { listingId: listing.id, liked: false, likeCount: 1 });
  }
  // Someone who never liked it unliking changes nothing.
  t.deepEqual((await unlike(seller, listing.id)).body, { listingId: listing.id, liked: false, likeCount: 1 });
  t.deepEqual(await likeState(listing.id), { like_count: 1, rows: 1 });
  t.is((await app.request('GET', `/v1/listings/${listing.id}`, { token: fan.accessToken })).body.likedByMe, false);
  t.is((await app.request('GET', `/v1/listings/${listing.id}`, { token: other.accessToken })).body.likedByMe, true);

  t.deepEqual((await unlike(other, listing.id)).body, { listingId: listing.id, liked: false, likeCount: 0 });
  t.deepEqual((await unlike(other, listing.id)).body, { listingId: listing.id, liked: false, likeCount: 0 });
  t.deepEqual(await likeState(listing.id), { like_count: 0, rows: 0 });
});

test('20 users liking one listing at the same moment give a likeCount of 20', async (t) => {
  const seller = await app.signup();
  const listing = await createListing(app, seller, carSeat());
  const fans = await Promise.all(Array.from({ length: 20 }, () => app.signup()));
  const results = await Promise.all(fans.map((fan) => like(fan, listing.id)));
  t.true(results.every((res) => res.status === 200 && res.body.liked === true));
  // Each like saw the counter right after its own increment.
  t.deepEqual(
    results.map((res) => res.body.likeCount as number).sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  t.deepEqual(await likeState(listing.id), { like_count: 20, rows: 20 });
  t.is((await app.request('GET', `/v1/listings/${listing.id}`)).body.likeCount, 20);

  const unliked = await Promise.all(fans.slice(0, 15).map((fan) => unlike(fan, listing.id)));
  t.true(unliked.every((res) => res.status === 200 && res.body.liked === false));
  t.deepEqual(await likeState(listing.id), { like_count: 5, rows: 5 });
});

test('one user liking 10 times at the same moment gives a likeCount of 1, and unliking 10 times gives 0', async (t) => {
  const seller = await app.signup();
  const fan = await app.signup();
  const listing = await createListing(app, seller, carSeat());
  const liked = await Promise.all(Array.from({ length: 10 }, () => like(fan, listing.id)));
  if (!liked.every((res) => res.body.likeCount === 1)) t.log(liked.map((r) => [r.status, r.body]));
  t.true(liked.every((res) => res.status === 200 && res.body.liked === true && res.body.likeCount === 1));
  t.deepEqual(await likeState(listing.id), { like_count: 1, rows: 1 });

  const unliked = await Promise.all(Array.from({ length: 10 }, () => unlike(fan, listing.id)));
  t.true(unliked.every((res) => res.status === 200 && res.body.liked === false && res.body.likeCount === 0));
  t.deepEqual(await likeState(listing.id), { like_count: 0, rows: 0 });
});

test('likes and unlikes interleaved by many users leave the counter equal to the number of likes', async (t) => {
  const seller = await app.signup();
  const listing = await createListing(app, seller, carSeat());
  const fans = await Promise.all(Array.from({ length: 8 }, () => app.signup()));
  const requests = fans.flatMap((fan, i) => [like(fan, listing.id), i % 2 ? unlike(fan, listing.id) : like(fan, listing.id), like(fan, listing.id)]);
  const results = await Promise.all(requests);
  t.true(results.every((res) => res.status === 200));
  const state = await likeState(listing.id);
  t.is(state.like_count, state.rows);
});

test('a like racing the deletion of its listing gives 200 or 404, never a 500, and leaves no like behind', async (t) => {
  const seller = await app.signup();
  const fans = await Promise.all(Array.from({ length: 5 }, () => app.signup()));
  for (let round = 0; round < 5; round++) {
    const listing = await createListing(app, seller, carSeat());
    const [deleted, ...likes] = await Promise.all([
      app.request('DELETE', `/v1/listings/${listing.id}`, { token: seller.accessToken }),
      ...fans.map((fan) => like(fan, listing.id)),
    ]);
    t.is(deleted!.status, 204);
    for (const res of likes) t.true(res.status === 200 || res.status === 404, `${res.status} ${JSON.stringify(res.body)}`);
    const [row] = await query<{ n: number }>('select count(*)::int as n from listing_likes where listing_id = ?', [listing.id]);
    t.is(row!.n, 0);
  }
});

test('liking or unliking a listing that does not exist gives 404 and writes nothing', async (t) => {
  const fan = await app.signup();
  assertProblem(t, await like(fan, MISSING_ID), 404, 'listing-not-found');
  assertProblem(t, await unlike(fan, MISSING_ID), 404, 'listing-not-found');
  const [row] = await query<{ n: number }>('select count(*)::int as n from listing_likes where user_id = ?', [fan.id]);
  t.is(row!.n, 0);
  assertProblem(t, await like(fan, 'not-a-uuid'), 400, 'validation-failed');
  assertProblem(t, await unlike(fan, 'not-a-uuid'), 400, 'validation-failed');
});

test('likes need a caller: 401 anonymously, and nothing changes', async (t) => {
  const seller = await app.signup();
  const listing = await createListing(app, seller, carSeat());
  assertProblem(t, await app.request('PUT', `/v1/listings/${listing.id}/like`), 401, 'authentication-required');
  assertProblem(t, await app.request('DELETE', `/v1/listings/${listing.id}/like`), 401, 'authentication-required');
  assertProblem(t, await app.request('PUT', `/v1/listings/${listing.id}/like`, { token: 'garbage' }), 401);
  assertProblem(t, await app.request('GET', '/v1/me/likes'), 401, 'authentication-required');
  t.deepEqual(await likeState(listing.id), { like_count: 0, rows: 0 });
});

test('GET /v1/me/likes lists my likes only, most recently liked first', async (t) => {
  const seller = await app.signup();
  const fan = await app.signup();
  const other = await app.signup();
  const listings: { id: string }[] = [];
  for (let i = 0; i < 5; i++) listings.push(await createListing(app, seller, carSeat(`찜 목록 ${i}`)));
  const likeOrder = [3, 1, 4, 0, 2];
  for (const i of likeOrder) t.is((await like(fan, listings[i]!.id)).status, 200);
  const othersOnly = await createListing(app, seller, carSeat('남의 찜'));
  t.is((await like(other, othersOnly.id)).status, 200);
  t.is((await like(other, listings[0]!.id)).status, 200);

  const res = await app.request('GET', '/v1/me/likes', { token: fan.accessToken });
  t.is(res.status, 200);
  t.is(res.body.nextCursor, null);
  t.deepEqual(
    res.body.items.map((item: { id: string }) => item.id),
    [...likeOrder].reverse().map((i) => listings[i]!.id),
  );
  for (const item of res.body.items) t.is(item.likedByMe, true);
  t.is(res.body.items.find((item: { id: string }) => item.id === listings[0]!.id).likeCount, 2);

  // Liking again does not move a listing to the top; unliking removes it.
  t.is((await like(fan, listings[3]!.id)).status, 200);
  t.is((await unlike(fan, listings[2]!.id)).status, 200);
  const after = await app.request('GET', '/v1/me/likes', { token: fan.accessToken });
  t.deepEqual(
    after.body.items.map((item: { id: string }) => item.id),
    [0, 4, 1, 3].map((i) => listings[i]!.id),
  );

  const nobody = await app.signup();
  t.deepEqual((await app.request('GET', '/v1/me/likes', { token: nobody.accessToken })).body, { items: [], nextCursor: null });
});

test('GET /v1/me/likes pages by keyset: the cursor walks every like exactly once, in order', async (t) => {
  const seller = await app.signup();
  const fan = await app.signup();
  const liked: string[] = [];
  for (let i = 0; i < 7; i++) {
    const listing = await createListing(app, seller, carSeat(`페이지 ${i}`));
    t.is((await like(fan, listing.id)).status, 200);
    liked.unshift(listing.id);
  }
  for (const limit of [1, 2, 3, 7, 100]) {
    const { ids, pages } = await walkMyLikes(t, fan, limit);
    t.deepEqual(ids, liked, `limit ${limit}`);
    t.is(pages, Math.ceil(liked.length / limit), `limit ${limit}`);
  }
});

test('GET /v1/me/likes keeps its place when likes are added and removed between pages', async (t) => {
  const seller = await app.signup();
  const fan = await app.signup();
  const liked: string[] = [];
  for (let i = 0; i < 6; i++) {
    const listing = await createListing(app, seller, carSeat(`움직이는 ${i}`));
    t.is((await like(fan, listing.id)).status, 200);
    liked.unshift(listing.id);
  }
  const first = await app.request('GET', '/v1/me/likes?limit=3', { token: fan.accessToken });
  t.deepEqual(
    first.body.items.map((item: { id: string }) => item.id),
    liked.slice(0, 3),
  );
  // A new like lands before the cursor; an old one after it is removed.
  const fresh = await createListing(app, seller, carSeat('새로 찜'));
  t.is((await like(fan, fresh.id)).status, 200);
  t.is((await unlike(fan, liked[4]!)).status, 200);
  const second = await app.request('GET', `/v1/me/likes?limit=3&cursor=${first.body.nextCursor}`, { token: fan.accessToken });
  t.deepEqual(
    second.body.items.map((item: { id: string }) => item.id),
    [liked[3], liked[5]],
  );
  t.is(second.body.nextCursor, null);
});

test('GET /v1/me/likes rejects a forged cursor and a limit out of range with 400', async (t) => {
  const fan = await app.signup();
  const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
  for (const query of ['cursor=not-a-cursor', `cursor=${forged}`, `cursor=${Buffer.from('[1,2]').toString('base64url')}`, 'limit=0', 'limit=101', 'limit=abc', 'limit=2.5']) {
    const res = await app.request('GET', `/v1/me/likes?${query}`, { token: fan.accessToken });
    assertProblem(t, res, 400);
    t.regex(res.body.type, /\/(invalid-cursor|validation-failed)$/, query);
  }
  t.is((await app.request('GET', '/v1/me/likes?limit=100', { token: fan.accessToken })).status, 200);
});

test('a listing deleted by its seller disappears from the watchlist and its likes are gone', async (t) => {
  const seller = await app.signup();
  const fan = await app.signup();
  const gone = await createListing(app, seller, carSeat('사라질 물건'));
  const stays = await createListing(app, seller, carSeat('남을 물건'));
  t.is((await like(fan, stays.id)).status, 200);
  t.is((await like(fan, gone.id)).status, 200);
  t.is((await app.request('DELETE', `/v1/listings/${gone.id}`, { token: seller.accessToken })).status, 204);
  const res = await app.request('GET', '/v1/me/likes', { token: fan.accessToken });
  t.deepEqual(
    res.body.items.map((item: { id: string }) => item.id),
    [stays.id],
  );
  const [row] = await query<{ n: number }>('select count(*)::int as n from listing_likes where listing_id = ?', [gone.id]);
  t.is(row!.n, 0);
  assertProblem(t, await like(fan, gone.id), 404);
});
