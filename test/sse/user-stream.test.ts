import test from 'ava';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { expectStatus, openAuction, placeBid } from '../support/listings.ts';
import { startPeerApi, type PeerApi } from '../support/peer-api.ts';
import { assertProblem } from '../support/problems.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * A user's own stream (`GET /v1/me/events`): their notices, live from any instance, gap-free
 * across reconnects, opened from a browser with a single-use ticket.
 */
let app: TestApi;
let peer: PeerApi;
test.before(async () => {
  app = await startTestApi('user_stream');
  peer = await startPeerApi(app);
});
test.after.always(async () => {
  await peer?.close();
  await app?.close();
});

const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.accessToken}` });
const openOn = (baseUrl: string, user: TestUser, lastEventId?: string) =>
  SseClient.open(`${baseUrl}/v1/me/events`, { headers: bearer(user), ...(lastEventId === undefined ? {} : { lastEventId }) });

/** `victim` bids on a new auction and a rival outbids them through instance A: one outbid notice for `victim`. */
async function outbid(victim: TestUser): Promise<string> {
  const { auctionId, bidders } = await openAuction(app, { bidders: 1 });
  await placeBid(app, victim, auctionId, 10_000);
  await placeBid(app, bidders[0]!, auctionId, 20_000);
  return auctionId;
}

const notices = (client: SseClient) => client.events.filter((e) => e.event === 'notification').map((e) => JSON.parse(e.data));

test('a notice written through one instance reaches the user’s stream on another, as its inbox item, with the user’s own seq', async (t) => {
  const user = await app.signup();
  const client = await openOn(peer.baseUrl, user);
  t.teardown(() => client.close());
  t.is(client.status, 200);
  const auctionId = await outbid(user);
  await client.waitFor((c) => notices(c).length === 1, 5_000, 'the outbid notice');
  const [event] = notices(client);
  t.like(event, { userId: user.id, seq: 1, type: 'notification', notification: { kind: 'outbid', auctionId, readAt: null, data: { price: 20_000 } } });
  t.deepEqual(client.seqs, [1]);
  const inbox = expectStatus(await app.request('GET', '/v1/me/notifications', { token: user.accessToken }), 200, 'inbox').body.items;
  t.deepEqual(event.notification, inbox[0], 'the stream shows exactly what the inbox shows');
});

test('a reconnect with Last-Event-ID gets every notice it missed, in order, once; a fresh connection starts after the newest', async (t) => {
  const user = await app.signup();
  await outbid(user);
  const first = await openOn(app.baseUrl, user);
  // No Last-Event-ID: nothing old is replayed, but the id to resume from is set at once.
  await first.waitFor((c) => c.lastEventId === '1', 3_000, 'the resume id');
  t.deepEqual(first.seqs, []);
  await outbid(user);
  await first.waitFor((c) => c.seqs.length === 1, 5_000, 'seq 2');
  await first.close();

  await outbid(user);
  await outbid(user);
  const again = await openOn(peer.baseUrl, user, first.lastEventId);
  t.teardown(() => again.close());
  await again.waitFor((c) => c.seqs.length === 2, 5_000, 'the two missed');
  await outbid(user);
  await again.waitFor((c) => c.seqs.length === 3, 5_000, 'the live one after the replay');
  t.deepEqual(again.seqs, [3, 4, 5]);
});

test('each user hears only their own notices', async (t) => {
  const [a, b] = [await app.signup(), await app.signup()];
  const streamA = await openOn(app.baseUrl, a);
  const streamB = await openOn(peer.baseUrl, b);
  t.teardown(async () => {
    await streamA.close();
    await streamB.close();
  });
  await outbid(a);
  await streamA.waitFor((c) => c.seqs.length === 1, 5_000, 'a’s notice');
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(streamB.seqs, [], 'b heard nothing');
  t.true(notices(streamA).every((n) => n.userId === a.id));
});

test('a browser opens the stream with a single-use ticket; a used, unknown or missing ticket is a 401', async (t) => {
  const user = await app.signup();
  const issued = expectStatus(await app.request('POST', '/v1/me/stream-tickets', { token: user.accessToken }), 201, 'ticket');
  t.regex(issued.body.ticket, /^[A-Za-z0-9_-]{40,}$/);
  t.is(issued.body.expiresInS, 60);
  const url = `${peer.baseUrl}/v1/me/events?ticket=${issued.body.ticket}`;
  const client = await SseClient.open(url);
  t.teardown(() => client.close());
  t.is(client.status, 200);
  await outbid(user);
  await client.waitFor((c) => c.seqs.length === 1, 5_000, 'the notice through the ticketed stream');
  t.is(notices(client)[0].userId, user.id);

  const reused = await SseClient.open(url);
  t.is(reused.status, 401);
  t.is(reused.problem.type, 'https://gavel.dev/problems/invalid-ticket');
  t.is((await SseClient.open(`${app.baseUrl}/v1/me/events?ticket=made-up`)).status, 401);
  const anonymous = await SseClient.open(`${app.baseUrl}/v1/me/events`);
  t.is(anonymous.status, 401);
  assertProblem(t, await app.request('POST', '/v1/me/stream-tickets'), 401);
});

test('two requests racing to use one ticket: exactly one stream opens', async (t) => {
  const user = await app.signup();
  const { ticket } = expectStatus(await app.request('POST', '/v1/me/stream-tickets', { token: user.accessToken }), 201, 'ticket').body;
  const clients = await Promise.all(Array.from({ length: 8 }, (_, i) => SseClient.open(`${i % 2 ? app.baseUrl : peer.baseUrl}/v1/me/events?ticket=${ticket}`)));
  t.teardown(() => Promise.all(clients.map((c) => c.close())));
  t.deepEqual(clients.map((c) => c.status).sort(), [200, 401, 401, 401, 401, 401, 401, 401]);
});

test('a chat message sent through one instance reaches the other party’s stream on another, and the sender’s own', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = expectStatus(
    await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { title: '자전거', description: '거의 새것', categoryId: 1, price: 50_000 } }),
    201,
    'listing',
  ).body;
  const conversationId = expectStatus(await app.request('POST', `/v1/listings/${listing.id}/conversations`, { token: buyer.accessToken }), 201, 'open').body.id;
  const onPeer = await openOn(peer.baseUrl, seller);
  const ownOnApp = await openOn(app.baseUrl, buyer);
  t.teardown(async () => {
    await onPeer.close();
    await ownOnApp.close();
  });
  await onPeer.waitFor((c) => c.lastEventId !== undefined, 3_000, 'the seller’s stream');
  await ownOnApp.waitFor((c) => c.lastEventId !== undefined, 3_000, 'the buyer’s stream');
  const sent = expectStatus(await app.request('POST', `/v1/conversations/${conversationId}/messages`, { token: buyer.accessToken, body: { text: '네고 되나요?' } }), 201, 'send').body;
  for (const stream of [onPeer, ownOnApp]) {
    await stream.waitFor((c) => c.events.some((e) => e.event === 'message'), 5_000, 'the message');
    t.like(JSON.parse(stream.events.find((e) => e.event === 'message')!.data), { type: 'message', message: { id: sent.id, text: '네고 되나요?', senderId: buyer.id } });
  }
});

test('logging out ends the streams of that login, not the user’s other logins; a reused refresh token ends its login’s streams', async (t) => {
  const user = await app.signup();
  const login = async () => expectStatus(await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: user.password } }), 200, 'login').body;
  const [phone, laptop] = [await login(), await login()];
  const onPhone = await SseClient.open(`${peer.baseUrl}/v1/me/events`, { headers: { authorization: `Bearer ${phone.accessToken}` } });
  const { ticket } = expectStatus(await app.request('POST', '/v1/me/stream-tickets', { token: laptop.accessToken }), 201, 'ticket').body;
  const onLaptop = await SseClient.open(`${app.baseUrl}/v1/me/events?ticket=${ticket}`);
  t.teardown(async () => {
    await onPhone.close();
    await onLaptop.close();
  });
  await onPhone.waitFor((c) => c.lastEventId !== undefined, 3_000, 'phone stream open');
  await onLaptop.waitFor((c) => c.lastEventId !== undefined, 3_000, 'laptop stream open');

  t.is((await app.request('POST', '/v1/auth/logout', { body: { refreshToken: phone.refreshToken } })).status, 204);
  await onPhone.waitForEnd(5_000);
  t.true(onPhone.comments.includes('session closed'));
  await new Promise((r) => setTimeout(r, 300));
  t.false(onLaptop.endedByServer, 'the laptop’s login is still open');

  // Reusing a spent refresh token revokes its family: the laptop's ticketed stream ends with it.
  expectStatus(await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: laptop.refreshToken } }), 200, 'rotate');
  assertProblem(t, await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: laptop.refreshToken } }), 401);
  await onLaptop.waitForEnd(5_000);
  // A token of a closed login, still unexpired, opens no new stream.
  t.is((await SseClient.open(`${app.baseUrl}/v1/me/events`, { headers: { authorization: `Bearer ${phone.accessToken}` } })).status, 401);
});
