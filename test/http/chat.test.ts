import test from 'ava';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { createListing, expectStatus } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';
import { SseClient } from '../support/sse-client.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('chat');
});
test.after.always(async () => {
  await app?.close();
});

const open = (buyer: TestUser, listingId: string) => app.request('POST', `/v1/listings/${listingId}/conversations`, { token: buyer.accessToken });
const send = (user: TestUser, conversationId: string, text: unknown) =>
  app.request('POST', `/v1/conversations/${conversationId}/messages`, { token: user.accessToken, body: { text } });
const messages = (user: TestUser, conversationId: string, query = '') =>
  app.request('GET', `/v1/conversations/${conversationId}/messages${query}`, { token: user.accessToken });
const mine = async (user: TestUser) => expectStatus(await app.request('GET', '/v1/me/conversations', { token: user.accessToken }), 200, 'conversations').body.items;
const inboxKinds = async (user: TestUser) =>
  (expectStatus(await app.request('GET', '/v1/me/notifications', { token: user.accessToken }), 200, 'inbox').body.items as any[]).map((i) => i.kind);

/** A seller with a fixed-price listing and a buyer in conversation about it. */
async function conversation() {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller);
  const opened = expectStatus(await open(buyer, listing.id), 201, 'open');
  return { seller, buyer, listingId: listing.id as string, conversationId: opened.body.id as string };
}

test('a buyer opens one conversation per listing; asking again gives the same one (200); a seller cannot open one on their own listing', async (t) => {
  const { seller, buyer, listingId, conversationId } = await conversation();
  const again = expectStatus(await open(buyer, listingId), 200, 'again');
  t.is(again.body.id, conversationId);
  t.like(again.body, { listingId, sellerId: seller.id, buyerId: buyer.id, lastMessage: null, unreadCount: 0, writable: true });
  assertProblem(t, await open(seller, listingId), 403, 'own-listing');
  assertProblem(t, await open(buyer, '01900000-0000-7000-8000-000000000000'), 404);
  // Racing opens make one conversation.
  const other = await app.signup();
  const raced = await Promise.all(Array.from({ length: 6 }, () => open(other, listingId)));
  t.deepEqual(raced.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 201]);
  t.is(new Set(raced.map((r) => r.body.id)).size, 1);
});

test('messages: newest first, text kept exactly as plain text, unread counts and read marks per party', async (t) => {
  const { seller, buyer, conversationId } = await conversation();
  const texts = ['안녕하세요, 아직 판매 중인가요?', '<b>네고</b> 가능할까요?\n직거래 원해요', '<script>alert(1)</script>'];
  for (const text of texts) expectStatus(await send(buyer, conversationId, text), 201, 'send');
  expectStatus(await send(seller, conversationId, '  네, 가능합니다  '), 201, 'reply');
  const page = expectStatus(await messages(seller, conversationId), 200, 'messages').body;
  t.deepEqual(page.items.map((m: any) => m.text), ['네, 가능합니다', ...[...texts].reverse()]);
  t.is(page.items[0].senderId, seller.id);

  // Replying reads what came before it; the reply is unread for the buyer.
  const [forSeller] = await mine(seller);
  t.like(forSeller, { id: conversationId, unreadCount: 0, lastMessage: { text: '네, 가능합니다', senderId: seller.id } });
  t.is((await mine(buyer))[0].unreadCount, 1);
  expectStatus(await send(buyer, conversationId, '감사합니다'), 201, 'send');
  expectStatus(await send(buyer, conversationId, '내일 괜찮으세요?'), 201, 'send');
  t.is((await mine(seller))[0].unreadCount, 2);
  const read = expectStatus(await app.request('POST', `/v1/conversations/${conversationId}/read`, { token: seller.accessToken }), 200, 'read');
  t.is(read.body.unreadCount, 0);
  expectStatus(await send(seller, conversationId, '네 좋아요'), 201, 'reply');
  expectStatus(await app.request('POST', `/v1/conversations/${conversationId}/read`, { token: seller.accessToken }), 200, 'read again');
  t.is((await mine(buyer))[0].unreadCount, 1, "the seller's read mark is the seller's only");

  // Pages through the cursor without repeats.
  const first = expectStatus(await messages(buyer, conversationId, '?limit=4'), 200, 'page 1').body;
  const second = expectStatus(await messages(buyer, conversationId, `?limit=4&cursor=${first.nextCursor}`), 200, 'page 2').body;
  t.is(first.items.length + second.items.length, 7);
  t.is(second.nextCursor, null);
  t.is(new Set([...first.items, ...second.items].map((m: any) => m.id)).size, 7);
});

test('only the two parties see or write a conversation; bad text is a 400', async (t) => {
  const { buyer, conversationId } = await conversation();
  const outsider = await app.signup();
  assertProblem(t, await messages(outsider, conversationId), 403, 'not-conversation-party');
  assertProblem(t, await send(outsider, conversationId, 'hi'), 403, 'not-conversation-party');
  assertProblem(t, await app.request('POST', `/v1/conversations/${conversationId}/read`, { token: outsider.accessToken }), 403, 'not-conversation-party');
  t.false((await mine(outsider)).some((c: any) => c.id === conversationId));
  for (const text of ['', '   ', 'x'.repeat(1001), 'a\u0000b', 'evil\u202Etxt.exe', 42, null]) {
    const res = await send(buyer, conversationId, text);
    t.is(res.status, 400, JSON.stringify(text).slice(0, 30));
  }
  expectStatus(await send(buyer, conversationId, 'ㅋ'.repeat(1000)), 201, '1000 characters is fine');
});

test('a message reaches both parties’ streams; a recipient without a stream gets one inbox item per unread streak, no SMS', async (t) => {
  const { seller, buyer, conversationId } = await conversation();
  // The seller is offline: two messages make one inbox item.
  expectStatus(await send(buyer, conversationId, '첫 메시지'), 201, 'send');
  expectStatus(await send(buyer, conversationId, '두 번째'), 201, 'send');
  t.deepEqual(await inboxKinds(seller), ['new_message']);
  const [row] = await app.db.orm.em.fork().execute(`select sms from notifications where user_id = ? and kind = 'new_message'`, [seller.id]);
  t.false(row!.sms);

  // Reading the conversation reads its inbox item; the next streak makes a new one.
  expectStatus(await app.request('POST', `/v1/conversations/${conversationId}/read`, { token: seller.accessToken }), 200, 'read');
  t.is(expectStatus(await app.request('GET', '/v1/me/notifications/unread-count', { token: seller.accessToken }), 200, 'count').body.unreadCount, 0);

  // Now the seller is online: the message comes live on both streams and makes no inbox item.
  const sellerStream = await SseClient.open(`${app.baseUrl}/v1/me/events`, { headers: { authorization: `Bearer ${seller.accessToken}` } });
  const buyerStream = await SseClient.open(`${app.baseUrl}/v1/me/events`, { headers: { authorization: `Bearer ${buyer.accessToken}` } });
  t.teardown(async () => {
    await sellerStream.close();
    await buyerStream.close();
  });
  await sellerStream.waitFor((c) => c.lastEventId !== undefined, 3_000, 'stream open');
  const sent = expectStatus(await send(buyer, conversationId, '온라인이세요?'), 201, 'send').body;
  for (const stream of [sellerStream, buyerStream]) {
    await stream.waitFor((c) => c.events.some((e) => e.event === 'message'), 5_000, 'the message event');
    const event = JSON.parse(stream.events.find((e) => e.event === 'message')!.data);
    t.like(event, { type: 'message', message: { id: sent.id, conversationId, senderId: buyer.id, text: '온라인이세요?' } });
  }
  t.deepEqual(await inboxKinds(seller), ['new_message'], 'no second inbox item while online');
});

test('a block stops conversations both ways and hides each one’s listings from the other in search', async (t) => {
  const { seller, buyer, listingId, conversationId } = await conversation();
  const search = async (user: TestUser) =>
    (expectStatus(await app.request('GET', `/v1/listings?sellerId=${seller.id}`, { token: user.accessToken }), 200, 'search').body.items as any[]).map((l) => l.id);
  t.deepEqual(await search(buyer), [listingId]);

  t.is((await app.request('PUT', `/v1/me/blocks/${buyer.id}`, { token: seller.accessToken })).status, 204);
  t.is((await app.request('PUT', `/v1/me/blocks/${buyer.id}`, { token: seller.accessToken })).status, 204, 'twice is a no-op');
  assertProblem(t, await send(buyer, conversationId, '왜요?'), 403, 'blocked');
  assertProblem(t, await send(seller, conversationId, '안녕히'), 403, 'blocked');
  assertProblem(t, await open(buyer, listingId), 403, 'blocked');
  t.deepEqual(await search(buyer), [], 'the blocked buyer no longer finds the seller’s listings');
  t.false((await mine(buyer))[0].writable);
  const blocks = expectStatus(await app.request('GET', '/v1/me/blocks', { token: seller.accessToken }), 200, 'blocks').body.items;
  t.like(blocks, [{ userId: buyer.id }]);

  assertProblem(t, await app.request('PUT', `/v1/me/blocks/${seller.id}`, { token: seller.accessToken }), 400, 'cannot-block-self');
  assertProblem(t, await app.request('PUT', '/v1/me/blocks/01900000-0000-7000-8000-000000000000', { token: seller.accessToken }), 404);

  t.is((await app.request('DELETE', `/v1/me/blocks/${buyer.id}`, { token: seller.accessToken })).status, 204);
  expectStatus(await send(buyer, conversationId, '다시 안녕하세요'), 201, 'unblocked');
  t.deepEqual(await search(buyer), [listingId]);
});

test('a conversation outlives its listing being sold, and is read-only once the listing is deleted', async (t) => {
  const { seller, buyer, listingId, conversationId } = await conversation();
  expectStatus(await send(buyer, conversationId, '삭제 전'), 201, 'send');
  expectStatus(await app.request('DELETE', `/v1/listings/${listingId}`, { token: seller.accessToken }), 204, 'delete listing');
  assertProblem(t, await send(buyer, conversationId, '삭제 후'), 409, 'conversation-read-only');
  const page = expectStatus(await messages(buyer, conversationId), 200, 'messages').body;
  t.deepEqual(page.items.map((m: any) => m.text), ['삭제 전']);
  const [c] = await mine(buyer);
  t.like(c, { listingId: null, listingTitle: '테스트 상품', writable: false });

  const sold = await conversation();
  expectStatus(await app.request('POST', `/v1/listings/${sold.listingId}/purchase`, { token: sold.buyer.accessToken }), 201, 'purchase');
  expectStatus(await send(sold.buyer, sold.conversationId, '언제 만날까요?'), 201, 'after the purchase');
});

test('messages are rate limited per sender (429 with Retry-After)', async (t) => {
  const { buyer, conversationId } = await conversation();
  const limit = app.deps.config.chat.messagesPerMin;
  const results = await Promise.all(Array.from({ length: limit + 5 }, (_, i) => send(buyer, conversationId, `메시지 ${i}`)));
  t.is(results.filter((r) => r.status === 201).length, limit);
  const refused = results.filter((r) => r.status === 429);
  t.is(refused.length, 5);
  t.truthy(refused[0]!.headers.get('retry-after'));
});
