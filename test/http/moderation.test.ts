import test from 'ava';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { createListing, expectStatus, openAuction, placeBid } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';
import { SseClient } from '../support/sse-client.ts';

let app: TestApi;
let admin: TestUser;
test.before(async () => {
  app = await startTestApi('moderation');
  admin = await app.signup();
  await app.db.orm.em.fork().execute(`update users set role = 'admin' where id = ?`, [admin.id]);
});
test.after.always(async () => {
  await app?.close();
});

const report = (user: TestUser, body: unknown) => app.request('POST', '/v1/reports', { token: user.accessToken, body });

test('reports of a listing, a user and a message reach the admins’ queue, once per reporter and target', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller);
  const conversationId = expectStatus(await app.request('POST', `/v1/listings/${listing.id}/conversations`, { token: buyer.accessToken }), 201, 'open').body.id;
  const messageId = expectStatus(await app.request('POST', `/v1/conversations/${conversationId}/messages`, { token: seller.accessToken, body: { text: '입금 먼저요' } }), 201, 'msg').body.id;

  const first = expectStatus(await report(buyer, { targetType: 'listing', targetId: listing.id, reason: '허위 매물' }), 201, 'listing report');
  t.like(first.body, { reporterId: buyer.id, targetType: 'listing', targetId: listing.id, reason: '허위 매물', targetExists: true });
  t.is(expectStatus(await report(buyer, { targetType: 'listing', targetId: listing.id, reason: '다시' }), 200, 'again').body.id, first.body.id);
  expectStatus(await report(buyer, { targetType: 'user', targetId: seller.id, reason: '선입금 요구' }), 201, 'user report');
  expectStatus(await report(buyer, { targetType: 'message', targetId: messageId, reason: '사기' }), 201, 'message report');

  // A message is reportable only by its conversation's parties; an unknown target is a 404.
  const outsider = await app.signup();
  assertProblem(t, await report(outsider, { targetType: 'message', targetId: messageId, reason: '?' }), 404);
  assertProblem(t, await report(outsider, { targetType: 'listing', targetId: '01900000-0000-7000-8000-000000000000', reason: '?' }), 404);
  assertProblem(t, await report(buyer, { targetType: 'user', targetId: buyer.id, reason: '?' }), 400, 'cannot-report-self');
  for (const body of [{}, { targetType: 'order', targetId: listing.id, reason: 'x' }, { targetType: 'listing', targetId: listing.id, reason: '   ' }]) {
    assertProblem(t, await report(buyer, body), 400);
  }

  const queue = expectStatus(await app.request('GET', '/v1/admin/reports?limit=100', { token: admin.accessToken }), 200, 'queue').body.items;
  const mine = queue.filter((r: any) => r.reporterId === buyer.id);
  t.deepEqual(mine.map((r: any) => r.targetType), ['message', 'user', 'listing']);
  assertProblem(t, await app.request('GET', '/v1/admin/reports', { token: buyer.accessToken }), 403, 'admin-only');
});

test('a suspended account is refused at once: its tokens, its refresh, its login, its stream, its conversations', async (t) => {
  const [user, seller] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller);
  const conversationId = expectStatus(await app.request('POST', `/v1/listings/${listing.id}/conversations`, { token: user.accessToken }), 201, 'open').body.id;
  const stream = await SseClient.open(`${app.baseUrl}/v1/me/events`, { headers: { authorization: `Bearer ${user.accessToken}` } });
  t.teardown(() => stream.close());
  t.is(stream.status, 200);
  const { ticket } = expectStatus(await app.request('POST', '/v1/me/stream-tickets', { token: user.accessToken }), 201, 'ticket').body;

  const suspended = expectStatus(await app.request('POST', `/v1/admin/users/${user.id}/suspend`, { token: admin.accessToken }), 200, 'suspend');
  t.is(suspended.body.userId, user.id);
  await stream.waitForEnd(5_000);

  assertProblem(t, await app.request('GET', '/v1/me', { token: user.accessToken }), 401, 'account-suspended');
  assertProblem(t, await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } }), 401);
  assertProblem(t, await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: user.password } }), 403, 'account-suspended');
  t.is((await SseClient.open(`${app.baseUrl}/v1/me/events?ticket=${ticket}`)).status, 401, 'a ticket issued before the suspension no longer opens a stream');
  assertProblem(t, await app.request('POST', `/v1/conversations/${conversationId}/messages`, { token: seller.accessToken, body: { text: '계세요?' } }), 409, 'conversation-read-only');
  const [c] = expectStatus(await app.request('GET', '/v1/me/conversations', { token: seller.accessToken }), 200, 'list').body.items;
  t.false(c.writable);
  assertProblem(t, await app.request('POST', `/v1/admin/users/${admin.id}/suspend`, { token: admin.accessToken }), 400, 'cannot-suspend-self');
  assertProblem(t, await app.request('POST', '/v1/admin/users/01900000-0000-7000-8000-000000000000/suspend', { token: admin.accessToken }), 404);
});

test('a suspended bidder’s bids stand; they cannot bid again', async (t) => {
  const { auctionId, bidders } = await openAuction(app, { bidders: 2 });
  await placeBid(app, bidders[0]!, auctionId, 10_000);
  expectStatus(await app.request('POST', `/v1/admin/users/${bidders[0]!.id}/suspend`, { token: admin.accessToken }), 200, 'suspend');
  assertProblem(t, await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidders[0]!.accessToken, body: { amount: 20_000 } }), 401, 'account-suspended');
  const auction = expectStatus(await app.request('GET', `/v1/auctions/${auctionId}`), 200, 'auction').body;
  t.is(auction.leaderId, bidders[0]!.id);
  await placeBid(app, bidders[1]!, auctionId, 20_000);
});

test('a hidden listing leaves search and its page for everyone but its seller', async (t) => {
  const [seller, viewer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller);
  const search = async (user?: TestUser) =>
    (expectStatus(await app.request('GET', `/v1/listings?sellerId=${seller.id}`, user ? { token: user.accessToken } : {}), 200, 'search').body.items as any[]).length;
  t.is(await search(viewer), 1);
  expectStatus(await app.request('POST', `/v1/admin/listings/${listing.id}/hide`, { token: admin.accessToken }), 200, 'hide');
  t.is(await search(viewer), 0);
  t.is(await search(), 0);
  assertProblem(t, await app.request('GET', `/v1/listings/${listing.id}`, { token: viewer.accessToken }), 404);
  assertProblem(t, await app.request('GET', `/v1/listings/${listing.id}`), 404);
  expectStatus(await app.request('GET', `/v1/listings/${listing.id}`, { token: seller.accessToken }), 200, 'the seller still sees it');
  assertProblem(t, await app.request('POST', `/v1/reports`, { token: viewer.accessToken, body: { targetType: 'listing', targetId: listing.id, reason: 'x' } }), 404);
});
