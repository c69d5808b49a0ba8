import test from 'ava';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { expectStatus, openAuction, placeBid } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('inbox');
});
test.after.always(async () => {
  await app?.close();
});

const inbox = (user: TestUser, query = '') => app.request('GET', `/v1/me/notifications${query}`, { token: user.accessToken });
const unread = async (user: TestUser) => expectStatus(await app.request('GET', '/v1/me/notifications/unread-count', { token: user.accessToken }), 200, 'unread').body.unreadCount as number;
const markRead = (user: TestUser, body: unknown) => app.request('POST', '/v1/me/notifications/read', { token: user.accessToken, body });

/** `auctions` auctions where `first` bids and `second` outbids: one outbid notice for `first` each. */
async function outbidTimes(auctions: number) {
  const first = await app.signup();
  const second = await app.signup();
  const ids: string[] = [];
  for (let i = 0; i < auctions; i++) {
    const { auctionId } = await openAuction(app);
    await placeBid(app, first, auctionId, 10_000);
    await placeBid(app, second, auctionId, 20_000);
    ids.push(auctionId);
  }
  return { first, second, auctionIds: ids };
}

test('an outbid bidder finds the notice in their inbox, unread, with the price and the listing; the new leader does not', async (t) => {
  const { first, second, auctionIds } = await outbidTimes(1);
  const res = expectStatus(await inbox(first), 200, 'inbox');
  t.is(res.body.items.length, 1);
  const [item] = res.body.items;
  t.like(item, { kind: 'outbid', auctionId: auctionIds[0], readAt: null, listingTitle: '경매 테스트 상품', data: { price: 20_000 } });
  t.truthy(item.listingId);
  t.is(res.body.nextCursor, null);
  t.is(await unread(first), 1);
  t.deepEqual(expectStatus(await inbox(second), 200, 'inbox').body.items, []);
  t.is(await unread(second), 0);
});

test('outbid three times in one auction within minutes: one outbid notice (one SMS), not three', async (t) => {
  const { auctionId } = await openAuction(app);
  const [first, second] = [await app.signup(), await app.signup()];
  const windowOf = (ms: number) => Math.floor(ms / (10 * 60_000));
  const started = Date.now();
  for (const [a, b] of [[10_000, 20_000], [30_000, 40_000], [50_000, 60_000]] as const) {
    await placeBid(app, first, auctionId, a);
    await placeBid(app, second, auctionId, b);
  }
  // The window is a fixed 10-minute slot: a run that straddles a slot boundary may have two.
  const windows = windowOf(Date.now()) - windowOf(started) + 1;
  const outbids = (expectStatus(await inbox(first), 200, 'inbox').body.items as { kind: string; auctionId: string }[]).filter((i) => i.kind === 'outbid' && i.auctionId === auctionId);
  t.is(outbids.length, windows);
});

test('marking items read lowers the unread count, keeps the first read time, and ignores ids that are not mine', async (t) => {
  const { first, second } = await outbidTimes(2);
  const items = expectStatus(await inbox(first), 200, 'inbox').body.items as { id: string }[];
  t.is(items.length, 2);

  // Someone else's ids change nothing and reveal nothing.
  t.deepEqual(expectStatus(await markRead(second, { ids: [items[0]!.id] }), 200, 'mark').body, { unreadCount: 0 });
  t.is(await unread(first), 2);

  t.deepEqual(expectStatus(await markRead(first, { ids: [items[0]!.id] }), 200, 'mark').body, { unreadCount: 1 });
  const readAt = expectStatus(await inbox(first), 200, 'inbox').body.items.find((i: any) => i.id === items[0]!.id).readAt;
  t.truthy(readAt);
  const onlyUnread = expectStatus(await inbox(first, '?unread=true'), 200, 'inbox').body.items as { id: string }[];
  t.deepEqual(onlyUnread.map((i) => i.id), [items[1]!.id]);

  await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(expectStatus(await markRead(first, { all: true }), 200, 'mark').body, { unreadCount: 0 });
  const after = expectStatus(await inbox(first), 200, 'inbox').body.items as { id: string; readAt: string }[];
  t.is(after.find((i) => i.id === items[0]!.id)!.readAt, readAt, 'a second mark keeps the first read time');
  t.true(after.every((i) => i.readAt !== null));
});

test('the inbox pages newest first through nextCursor without repeats or gaps', async (t) => {
  const { first } = await outbidTimes(5);
  const seen: { id: string; createdAt: string }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = expectStatus(await inbox(first, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`), 200, 'page');
    t.true(res.body.items.length <= 2);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  t.is(pages, 3);
  t.is(new Set(seen.map((i) => i.id)).size, 5);
  const times = seen.map((i) => Date.parse(i.createdAt));
  t.deepEqual(times, [...times].sort((a, b) => b - a));
});

test('bad inbox input is a 400 problem; no token is a 401', async (t) => {
  const user = await app.signup();
  for (const body of [{}, { ids: [] }, { ids: ['not-a-uuid'] }, { all: false }, { all: true, ids: [] }, { ids: Array.from({ length: 101 }, () => crypto.randomUUID()) }, []]) {
    assertProblem(t, await markRead(user, body), 400, undefined, JSON.stringify(body).slice(0, 40));
  }
  assertProblem(t, await inbox(user, '?unread=maybe'), 400);
  assertProblem(t, await inbox(user, '?cursor=bm90LWEtY3Vyc29y'), 400, 'invalid-cursor');
  assertProblem(t, await app.request('GET', '/v1/me/notifications'), 401);
  assertProblem(t, await app.request('GET', '/v1/me/notifications/unread-count'), 401);
  assertProblem(t, await app.request('POST', '/v1/me/notifications/read', { body: { all: true } }), 401);
});
