import test from 'ava';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { createListing, expectStatus, purchase } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('reviews');
});
test.after.always(async () => {
  await app?.close();
});

const MISSING_ID = '01900000-0000-7000-8000-000000000000';
const sql = <Row = any>(text: string, params: unknown[] = []) => app.db.orm.em.fork().execute<Row[]>(text, params);

async function trade(seller: TestUser, buyer: TestUser, complete = true): Promise<string> {
  const listing = await createListing(app, seller, { title: '캠핑 의자', description: '두 번 썼어요', categoryId: 1, price: 20_000 });
  const bought = await purchase(app, buyer, listing.id);
  if (complete) await expectStatus(await app.request('POST', `/v1/trades/${bought.id}/complete`, { token: buyer.accessToken }), 200, 'complete');
  return bought.id;
}
const review = (user: TestUser | undefined, tradeId: string, body: unknown) => app.request('POST', `/v1/trades/${tradeId}/reviews`, { token: user?.accessToken, body });
const edit = (user: TestUser | undefined, reviewId: string, body: unknown) => app.request('PATCH', `/v1/reviews/${reviewId}`, { token: user?.accessToken, body });
const profile = (userId: string) => app.request('GET', `/v1/users/${userId}`);

test('each party reviews the other once after completion; the review names both sides', async (t) => {
  const [seller, buyer] = await Promise.all([app.signup(), app.signup()]);
  const tradeId = await trade(seller, buyer);
  const byBuyer = await review(buyer, tradeId, { rating: 'good', text: '  친절하세요 \r\n감사합니다 ' });
  t.is(byBuyer.status, 201, JSON.stringify(byBuyer.body));
  t.like(byBuyer.body, { tradeId, reviewerId: buyer.id, revieweeId: seller.id, reviewerRole: 'buyer', rating: 'good', text: '친절하세요 \n감사합니다', listingTitle: '캠핑 의자' });
  const bySeller = await review(seller, tradeId, { rating: 'neutral' });
  t.is(bySeller.status, 201);
  t.like(bySeller.body, { reviewerId: seller.id, revieweeId: buyer.id, reviewerRole: 'seller', text: null });

  assertProblem(t, await review(buyer, tradeId, { rating: 'bad' }), 409, 'review-exists');
  t.deepEqual(await sql('select rating from reviews where reviewer_id = ?', [buyer.id]), [{ rating: 'good' }], 'the second try changed nothing');
});

test('only a completed trade can be reviewed, only by its parties', async (t) => {
  const [seller, buyer, stranger] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const pending = await trade(seller, buyer, false);
  assertProblem(t, await review(buyer, pending, { rating: 'good' }), 409, 'trade-not-completed');
  await expectStatus(await app.request('POST', `/v1/trades/${pending}/cancel`, { token: seller.accessToken }), 200, 'cancel');
  assertProblem(t, await review(seller, pending, { rating: 'bad' }), 409, 'trade-not-completed');

  const done = await trade(seller, buyer);
  assertProblem(t, await review(stranger, done, { rating: 'bad' }), 403, 'not-trade-party');
  assertProblem(t, await review(undefined, done, { rating: 'bad' }), 401);
  assertProblem(t, await review(buyer, MISSING_ID, { rating: 'good' }), 404);
  t.deepEqual(await sql('select id from reviews where trade_id in (?, ?)', [pending, done]), []);
});

test('bad input is a 400 and writes nothing', async (t) => {
  const [seller, buyer] = await Promise.all([app.signup(), app.signup()]);
  const tradeId = await trade(seller, buyer);
  for (const body of [{}, { rating: 'great' }, { rating: 'good', text: 5 }, { rating: 'good', text: 'x'.repeat(1001) }, { rating: 'good', text: 'a\u202Eb' }, { rating: 'good', extra: 1 }]) {
    assertProblem(t, await review(buyer, tradeId, body), 400, null, JSON.stringify(body).slice(0, 60));
  }
  t.deepEqual(await sql('select id from reviews where trade_id = ?', [tradeId]), []);
});

test('both parties find a review prompt in their inbox when a trade completes', async (t) => {
  const [seller, buyer] = await Promise.all([app.signup(), app.signup()]);
  const tradeId = await trade(seller, buyer);
  for (const user of [seller, buyer]) {
    const inbox = await app.request('GET', '/v1/me/notifications', { token: user.accessToken });
    const prompts = inbox.body.items.filter((item: any) => item.kind === 'review_prompt');
    t.is(prompts.length, 1);
    t.like(prompts[0], { data: { tradeId }, listingTitle: '캠핑 의자', readAt: null });
  }
  t.deepEqual(await sql(`select sms from notifications where kind = 'review_prompt' and listing_id = (select listing_id from trades where id = ?)`, [tradeId]), [{ sms: false }, { sms: false }], 'inbox only, no SMS');
});

test('the author may change a review within the window; nobody else ever, and nobody after it', async (t) => {
  const [seller, buyer] = await Promise.all([app.signup(), app.signup()]);
  const tradeId = await trade(seller, buyer);
  const written = await expectStatus(await review(buyer, tradeId, { rating: 'good', text: '좋아요' }), 201, 'review');
  const id = written.body.id;

  assertProblem(t, await edit(seller, id, { rating: 'bad' }), 403, 'not-review-author');
  assertProblem(t, await edit(undefined, id, { rating: 'bad' }), 401);
  assertProblem(t, await edit(buyer, MISSING_ID, { rating: 'bad' }), 404);
  assertProblem(t, await edit(buyer, id, {}), 400);

  const changed = await edit(buyer, id, { rating: 'neutral' });
  t.is(changed.status, 200, JSON.stringify(changed.body));
  t.like(changed.body, { id, rating: 'neutral', text: '좋아요' }, 'a field left out keeps its value');
  t.true(changed.body.updatedAt > written.body.updatedAt);
  const noText = await edit(buyer, id, { text: null });
  t.like(noText.body, { rating: 'neutral', text: null });

  // The window is judged from when it was written, by the database clock (default 3 days).
  await sql(`update reviews set created_at = clock_timestamp() - interval '259201 seconds' where id = ?`, [id]);
  assertProblem(t, await edit(buyer, id, { rating: 'good' }), 409, 'review-edit-window-closed');
  t.deepEqual(await sql('select rating, text from reviews where id = ?', [id]), [{ rating: 'neutral', text: null }]);
});

test("the profile: nickname, join date, manner score and counts, and never the phone", async (t) => {
  const [seller, buyerA, buyerB] = await Promise.all([app.signup({ nickname: '캠핑왕' }), app.signup(), app.signup()]);
  const fresh = await profile(seller.id);
  t.is(fresh.status, 200);
  t.like(fresh.body, { id: seller.id, nickname: '캠핑왕', mannerScore: 36.5, reviewCount: 0, listingCounts: { onSale: 0, reserved: 0, sold: 0 } });

  const first = await trade(seller, buyerA);
  const second = await trade(seller, buyerB);
  await createListing(app, seller, { title: '텐트', description: '새것', categoryId: 1, price: 50_000 });
  await expectStatus(await review(buyerA, first, { rating: 'good' }), 201, 'review A');
  await expectStatus(await review(buyerB, second, { rating: 'good' }), 201, 'review B');
  await expectStatus(await review(seller, first, { rating: 'bad' }), 201, 'seller reviews A');

  const shown = await profile(seller.id);
  t.like(shown.body, { reviewCount: 2, ratingCounts: { good: 2, neutral: 0, bad: 0 }, listingCounts: { onSale: 1, reserved: 0, sold: 2 } });
  // Two fresh good votes: x = 2 / (3 + 2) = 0.4 -> 36.5 + 63.5 * 0.4 = 61.9.
  t.is(shown.body.mannerScore, 61.9);
  t.is(new Date(shown.body.joinedAt).toISOString(), shown.body.joinedAt);
  t.true((await profile(buyerA.id)).body.mannerScore < 36.5, "the seller's bad review of buyer A");

  const text = JSON.stringify(shown.body);
  for (const form of [seller.phone, seller.phone.slice(1), `0${seller.phone.slice(3)}`]) t.false(text.includes(form), 'no phone in the profile');
  t.false('phone' in shown.body);
  t.false('role' in shown.body);

  assertProblem(t, await profile(MISSING_ID), 404);
  assertProblem(t, await app.request('GET', '/v1/users/not-a-uuid'), 400);
});

test("one reviewer's many trades with the same user count once in the score", async (t) => {
  const [seller, friend] = await Promise.all([app.signup(), app.signup()]);
  for (let i = 0; i < 3; i++) await expectStatus(await review(friend, await trade(seller, friend), { rating: 'good' }), 201, `review ${i}`);
  const shown = await profile(seller.id);
  t.is(shown.body.reviewCount, 3);
  // One vote, not three: x = 1 / 4 -> 52.4 (three would be 3 / 6 -> 68.3).
  t.is(shown.body.mannerScore, 52.4);
});

test("a user's reviews: newest first, paged, public", async (t) => {
  const seller = await app.signup();
  const buyers = await Promise.all(['하나씨', '둘째', '셋째'].map((nickname) => app.signup({ nickname })));
  for (const buyer of buyers) await expectStatus(await review(buyer, await trade(seller, buyer), { rating: 'neutral' }), 201, 'review');
  const first = await app.request('GET', `/v1/users/${seller.id}/reviews?limit=2`);
  t.is(first.status, 200);
  t.deepEqual(first.body.items.map((r: any) => r.reviewerId), [buyers[2]!.id, buyers[1]!.id]);
  t.is(first.body.items[0].reviewerNickname, '셋째');
  const rest = await app.request('GET', `/v1/users/${seller.id}/reviews?limit=2&cursor=${first.body.nextCursor}`);
  t.deepEqual(rest.body.items.map((r: any) => r.reviewerId), [buyers[0]!.id]);
  t.is(rest.body.nextCursor, null);
  assertProblem(t, await app.request('GET', `/v1/users/${MISSING_ID}/reviews`), 404);
  assertProblem(t, await app.request('GET', `/v1/users/${seller.id}/reviews?cursor=garbage`), 400);
});
