import test from 'ava';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { createListing, createTestAuction, purchase } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';
import { SseClient } from '../support/sse-client.ts';
import { recordingSms, startInProcessWorkers, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * Price offers (가격 제안) over HTTP with the real workers: a buyer offers below the asking price,
 * the seller accepts (a purchase at that price; the other offers are declined), declines or
 * counters; the buyer withdraws or accepts the counter; an offer nobody answers expires by its
 * delayed job, or by the sweep when the job was lost. Every step tells the other party.
 */
let app: TestApi;
let workers: InProcessWorkers;
const sms = recordingSms();
test.before(async () => {
  app = await startTestApi('price_offers', { TRADE_MAX_OPEN_PER_BUYER: '2', SWEEP_INTERVAL_S: '1' });
  workers = await startInProcessWorkers(app, sms);
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
});

const ITEM = { title: '캠핑의자 2개', description: '한 번 썼어요', categoryId: 1, price: 50_000 };
const query = <Row = any>(text: string, params: unknown[] = []) => app.db.orm.em.fork().execute<Row[]>(text, params);
const offer = (buyer: TestUser, listingId: string, amount: unknown): Promise<HttpResult> =>
  app.request('POST', `/v1/listings/${listingId}/offers`, { token: buyer.accessToken, body: { amount } });
const step = (who: TestUser, offerId: string, action: string, body?: unknown): Promise<HttpResult> =>
  app.request('POST', `/v1/offers/${offerId}/${action}`, { token: who.accessToken, ...(body === undefined ? {} : { body }) });
const noticesOf = (offerId: string) =>
  query<{ user_id: string; kind: string; sms: boolean; data: any }>(`select user_id, kind, sms, data from notifications where offer_id = ? order by created_at, kind`, [offerId]);
const inboxKinds = async (user: TestUser) =>
  ((await app.request('GET', '/v1/me/notifications', { token: user.accessToken })).body.items as { kind: string; offerId: string | null }[]);
const statusOf = async (listingId: string) => (await query<{ status: string }>('select status from listings where id = ?', [listingId]))[0]!.status;

async function offered(amount = 40_000) {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller, ITEM);
  const res = await offer(buyer, listing.id, amount);
  if (res.status !== 201) throw new Error(`offer: ${res.status} ${JSON.stringify(res.body)}`);
  return { seller, buyer, listing, offer: res.body };
}

test('a buyer offers below the price: 201, the seller is told in the inbox (no SMS), the expiry is queued, both see it in /v1/me/offers', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller, ITEM);
  const res = await offer(buyer, listing.id, 42_000);
  t.is(res.status, 201, JSON.stringify(res.body));
  t.is(res.headers.get('location'), `/v1/offers/${res.body.offerId}`);
  t.like(res.body, { kind: 'price', listingId: listing.id, sellerId: seller.id, buyerId: buyer.id, amount: 42_000, counterAmount: null, status: 'pending', awaiting: 'seller', tradeId: null, auctionId: null });
  const ttlMs = Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt);
  t.true(Math.abs(ttlMs - 172_800_000) < 2000, `OFFER_TTL_S default: ${ttlMs} ms`);
  t.truthy(await app.deps.jobs.queues.offers.getJob(jobIds.expireOffer(res.body.offerId)), 'its expiry is scheduled');
  t.like((await noticesOf(res.body.offerId))[0], { user_id: seller.id, kind: 'offer_received', sms: false, data: { price: 42_000 } });
  t.true((await inboxKinds(seller)).some((item) => item.kind === 'offer_received' && item.offerId === res.body.offerId), 'in the seller’s inbox');

  const mine = await app.request('GET', '/v1/me/offers?role=buyer', { token: buyer.accessToken });
  t.deepEqual(mine.body.items.map((o: any) => o.offerId), [res.body.offerId]);
  const received = await app.request('GET', '/v1/me/offers?role=seller', { token: seller.accessToken });
  t.deepEqual(received.body.items.map((o: any) => o.offerId), [res.body.offerId]);
  t.deepEqual((await app.request('GET', '/v1/me/offers?role=seller', { token: buyer.accessToken })).body.items, []);
  assertProblem(t, await app.request('GET', '/v1/me/offers?role=admin', { token: buyer.accessToken }), 400, null);
  t.is((await app.request('GET', `/v1/offers/${res.body.offerId}`, { token: seller.accessToken })).body.amount, 42_000);
});

test('/v1/me/offers pages newest first', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await offer(buyer, (await createListing(app, seller, ITEM)).id, 30_000 + i)).body.offerId);
  const first = await app.request('GET', '/v1/me/offers?role=buyer&limit=2', { token: buyer.accessToken });
  t.deepEqual(first.body.items.map((o: any) => o.offerId), [ids[2], ids[1]]);
  const second = await app.request('GET', `/v1/me/offers?role=buyer&limit=2&cursor=${first.body.nextCursor}`, { token: buyer.accessToken });
  t.deepEqual(second.body.items.map((o: any) => o.offerId), [ids[0]]);
  t.is(second.body.nextCursor, null);
});

test('the rules of making an offer: not your own, fixed-price on sale only, a positive amount below the price, one open offer per buyer and listing', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller, ITEM);
  assertProblem(t, await offer(seller, listing.id, 40_000), 403, 'own-listing');
  assertProblem(t, await offer(buyer, listing.id, 50_000), 422, 'offer-not-below-price');
  assertProblem(t, await offer(buyer, listing.id, 60_000), 422, 'offer-not-below-price');
  for (const bad of [0, -1, 1.5, '40000', null]) assertProblem(t, await offer(buyer, listing.id, bad), 400, null, `amount ${JSON.stringify(bad)}`);
  assertProblem(t, await offer(buyer, '00000000-0000-7000-8000-000000000000', 40_000), 404, null);

  const first = await offer(buyer, listing.id, 40_000);
  t.is(first.status, 201);
  assertProblem(t, await offer(buyer, listing.id, 45_000), 409, 'offer-already-open');
  t.is((await offer(await app.signup(), listing.id, 45_000)).status, 201, 'another buyer may offer too');
  t.is((await step(buyer, first.body.offerId, 'withdraw')).status, 200);
  t.is((await offer(buyer, listing.id, 45_000)).status, 201, 'after withdrawing, a new offer');

  const { listingId: auctionListing } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) });
  assertProblem(t, await offer(buyer, auctionListing, 5_000), 409, 'not-fixed-price');
  const reserved = await createListing(app, seller, ITEM);
  await purchase(app, await app.signup(), reserved.id);
  assertProblem(t, await offer(buyer, reserved.id, 40_000), 409, 'listing-not-on-sale');

  const blocked = await createListing(app, seller, ITEM);
  t.is((await app.request('PUT', `/v1/me/blocks/${buyer.id}`, { token: seller.accessToken })).status < 300, true);
  assertProblem(t, await offer(buyer, blocked.id, 40_000), 403, 'blocked');
});

test('the seller accepts: a purchase trade at the offered amount that expires like one, the listing reserved, every other open offer declined and its buyer told', async (t) => {
  const { seller, buyer, listing, offer: mine } = await offered(40_000);
  const [rival1, rival2] = [await app.signup(), await app.signup()];
  const others = [(await offer(rival1, listing.id, 41_000)).body, (await offer(rival2, listing.id, 35_000)).body];

  assertProblem(t, await step(buyer, mine.offerId, 'accept'), 403, 'not-offer-seller');
  assertProblem(t, await step(rival1, mine.offerId, 'accept'), 403, 'not-offer-party');
  const accepted = await step(seller, mine.offerId, 'accept');
  t.is(accepted.status, 201, JSON.stringify(accepted.body));
  t.is(accepted.headers.get('location'), `/v1/trades/${accepted.body.tradeId}`);
  const trade = (await app.request('GET', `/v1/trades/${accepted.body.tradeId}`, { token: buyer.accessToken })).body;
  t.like(trade, { buyerId: buyer.id, sellerId: seller.id, price: 40_000, kind: 'purchase', status: 'pending', listingId: listing.id });
  t.truthy(trade.expiresAt, 'it expires like a purchase');
  t.truthy(await app.deps.jobs.queues.offers.getJob(jobIds.expireTrade(trade.id)), 'its expiry is queued');
  t.is(await statusOf(listing.id), 'reserved');
  t.like((await app.request('GET', `/v1/offers/${mine.offerId}`, { token: buyer.accessToken })).body, { status: 'accepted', tradeId: trade.id, awaiting: null });

  for (const other of others) {
    t.like((await app.request('GET', `/v1/offers/${other.offerId}`, { token: seller.accessToken })).body, { status: 'declined', tradeId: null });
    t.like((await noticesOf(other.offerId)).find((n) => n.kind === 'offer_declined'), { user_id: other.buyerId, sms: false, data: { declineReason: 'another-offer-accepted' } });
  }
  t.like((await noticesOf(mine.offerId)).find((n) => n.kind === 'offer_accepted'), { user_id: buyer.id, sms: true, data: { price: 40_000, tradeId: trade.id } });
  await waitFor('the accepted offer’s SMS to the buyer', async () => sms.to(buyer.phone).length > 0, 10_000);
  t.regex(sms.to(buyer.phone)[0]!.message, /가격 제안이 수락/);

  assertProblem(t, await step(seller, mine.offerId, 'accept'), 409, 'offer-not-pending');
  assertProblem(t, await step(seller, others[0]!.offerId, 'accept'), 409, 'offer-not-pending');
  assertProblem(t, await app.request('POST', `/v1/listings/${listing.id}/purchase`, { token: rival1.accessToken }), 409, 'listing-not-on-sale');
});

test('accepting counts toward the buyer’s open purchases (TRADE_MAX_OPEN_PER_BUYER): over the limit it is 409 and the offer stays open', async (t) => {
  const { seller, buyer, listing, offer: mine } = await offered(40_000);
  for (let i = 0; i < 2; i++) await purchase(app, buyer, (await createListing(app, await app.signup(), ITEM)).id);
  const refused = await step(seller, mine.offerId, 'accept');
  assertProblem(t, refused, 409, 'too-many-open-trades');
  t.is(refused.body.maxOpenTrades, 2);
  t.is(await statusOf(listing.id), 'on_sale');
  t.is((await app.request('GET', `/v1/offers/${mine.offerId}`, { token: buyer.accessToken })).body.status, 'pending');
});

test('the seller counters once, between the offer and the price; the buyer accepts the counter, and the seller is told', async (t) => {
  const { seller, buyer, listing, offer: mine } = await offered(40_000);
  assertProblem(t, await step(buyer, mine.offerId, 'counter', { amount: 45_000 }), 403, 'not-offer-seller');
  for (const amount of [40_000, 39_000, 50_001]) assertProblem(t, await step(seller, mine.offerId, 'counter', { amount }), 422, 'counter-out-of-range', `counter ${amount}`);
  assertProblem(t, await step(seller, mine.offerId, 'counter', { amount: 0 }), 400, null);
  assertProblem(t, await step(seller, mine.offerId, 'counter', {}), 400, null);

  const countered = await step(seller, mine.offerId, 'counter', { amount: 45_000 });
  t.is(countered.status, 200, JSON.stringify(countered.body));
  t.like(countered.body, { amount: 40_000, counterAmount: 45_000, status: 'pending', awaiting: 'buyer' });
  t.true(Date.parse(countered.body.expiresAt) >= Date.parse(mine.expiresAt), 'the buyer gets a fresh OFFER_TTL_S');
  t.like((await noticesOf(mine.offerId)).find((n) => n.kind === 'offer_countered'), { user_id: buyer.id, sms: false, data: { price: 45_000 } });
  assertProblem(t, await step(seller, mine.offerId, 'counter', { amount: 48_000 }), 409, 'offer-already-countered');
  assertProblem(t, await step(seller, mine.offerId, 'accept'), 403, 'offer-countered');

  const accepted = await step(buyer, mine.offerId, 'accept');
  t.is(accepted.status, 201, JSON.stringify(accepted.body));
  const trade = (await app.request('GET', `/v1/trades/${accepted.body.tradeId}`, { token: seller.accessToken })).body;
  t.like(trade, { buyerId: buyer.id, price: 45_000, kind: 'purchase' });
  t.is(await statusOf(listing.id), 'reserved');
  t.like((await noticesOf(mine.offerId)).find((n) => n.kind === 'offer_accepted'), { user_id: seller.id, data: { price: 45_000 } });
});

test('the seller declines and the buyer is told; the buyer withdraws and the seller is told; each only by its own party and only while open', async (t) => {
  const declined = await offered(30_000);
  assertProblem(t, await step(declined.buyer, declined.offer.offerId, 'decline'), 403, 'not-offer-seller');
  assertProblem(t, await step(await app.signup(), declined.offer.offerId, 'decline'), 403, 'not-offer-party');
  const res = await step(declined.seller, declined.offer.offerId, 'decline');
  t.is(res.status, 200);
  t.like(res.body, { status: 'declined', awaiting: null });
  t.truthy(res.body.decidedAt);
  t.like((await noticesOf(declined.offer.offerId)).find((n) => n.kind === 'offer_declined'), { user_id: declined.buyer.id, data: { declineReason: 'seller' } });
  assertProblem(t, await step(declined.seller, declined.offer.offerId, 'decline'), 409, 'offer-not-pending');
  assertProblem(t, await step(declined.buyer, declined.offer.offerId, 'withdraw'), 409, 'offer-not-pending');
  t.is(await statusOf(declined.listing.id), 'on_sale');

  const withdrawn = await offered(30_000);
  assertProblem(t, await step(withdrawn.seller, withdrawn.offer.offerId, 'withdraw'), 403, 'not-offer-buyer');
  const gone = await step(withdrawn.buyer, withdrawn.offer.offerId, 'withdraw');
  t.like(gone.body, { status: 'withdrawn' });
  t.like((await noticesOf(withdrawn.offer.offerId)).find((n) => n.kind === 'offer_withdrawn'), { user_id: withdrawn.seller.id, sms: false });
  assertProblem(t, await step(withdrawn.seller, withdrawn.offer.offerId, 'accept'), 409, 'offer-not-pending');
  assertProblem(t, await step(withdrawn.buyer, '00000000-0000-7000-8000-000000000000', 'withdraw'), 404, null);
});

test('an offer expires by its delayed job, judged by the database clock: refused to accept once due, both parties told', async (t) => {
  const { seller, buyer, offer: mine } = await offered(40_000);
  // Its due time is brought forward in the database only; the queued job still says two days.
  await query(`update offers set expires_at = clock_timestamp() + interval '1 second' where id = ?`, [mine.offerId]);
  const job = await workers.jobs.queues.offers.getJob(jobIds.expireOffer(mine.offerId));
  await job!.promote();
  await waitFor('the offer expired', async () => (await query(`select status from offers where id = ?`, [mine.offerId]))[0].status === 'expired', 15_000);
  const notices = (await noticesOf(mine.offerId)).filter((n) => n.kind === 'offer_expired');
  t.deepEqual(notices.map((n) => n.user_id).sort(), [buyer.id, seller.id].sort());
  assertProblem(t, await step(seller, mine.offerId, 'accept'), 409, 'offer-not-pending');
});

test('an offer past its expiry cannot be accepted even before anything expired it, and the sweep expires one whose job was lost', async (t) => {
  const { seller, offer: mine } = await offered(40_000);
  const job = await workers.jobs.queues.offers.getJob(jobIds.expireOffer(mine.offerId));
  await job!.remove();
  await query(`update offers set expires_at = clock_timestamp() - interval '1 second' where id = ?`, [mine.offerId]);
  const refused = await step(seller, mine.offerId, 'accept');
  if (refused.status === 409 && refused.body.type.endsWith('offer-expired')) t.pass();
  else assertProblem(t, refused, 409, 'offer-not-pending', 'or the sweep was first');
  await waitFor('the sweep expired it', async () => (await query(`select status from offers where id = ?`, [mine.offerId]))[0].status === 'expired', 15_000);
  t.is((await noticesOf(mine.offerId)).filter((n) => n.kind === 'offer_expired').length, 2);
});

test('each step reaches the other party live on their own stream, as the inbox shows it', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller, ITEM);
  const streams = await Promise.all([seller, buyer].map((user) => SseClient.open(`${app.baseUrl}/v1/me/events`, { headers: { authorization: `Bearer ${user.accessToken}` } })));
  t.teardown(() => Promise.all(streams.map((stream) => stream.close())));
  await Promise.all(streams.map((stream) => stream.waitFor((c) => c.lastEventId !== undefined, 3_000, 'stream open')));
  const [sellerStream, buyerStream] = streams as [SseClient, SseClient];
  const kindsOn = (stream: SseClient) => stream.events.filter((e) => e.event === 'notification').map((e) => JSON.parse(e.data).notification.kind);

  const made = (await offer(buyer, listing.id, 30_000)).body;
  await sellerStream.waitFor(() => kindsOn(sellerStream).includes('offer_received'), 5_000, 'offer_received on the seller’s stream');
  t.is((await step(seller, made.offerId, 'counter', { amount: 45_000 })).status, 200);
  await buyerStream.waitFor(() => kindsOn(buyerStream).includes('offer_countered'), 5_000, 'offer_countered on the buyer’s stream');
  t.is((await step(buyer, made.offerId, 'withdraw')).status, 200);
  await sellerStream.waitFor(() => kindsOn(sellerStream).includes('offer_withdrawn'), 5_000, 'offer_withdrawn on the seller’s stream');
  const live = JSON.parse(sellerStream.events.filter((e) => e.event === 'notification').at(-1)!.data).notification;
  const inbox = (await app.request('GET', '/v1/me/notifications', { token: seller.accessToken })).body.items;
  t.deepEqual(live, inbox[0], 'the stream shows exactly what the inbox shows');
  t.deepEqual(kindsOn(buyerStream), ['offer_countered'], 'nobody hears of their own steps');
});

test('a counter’s fresh expiry holds: the expiry job queued for the first due time runs, finds it not yet due, and waits', async (t) => {
  const { seller, offer: mine } = await offered(40_000);
  await query(`update offers set expires_at = clock_timestamp() + interval '1 second' where id = ?`, [mine.offerId]);
  const countered = await step(seller, mine.offerId, 'counter', { amount: 45_000 });
  t.is(countered.status, 200);
  const job = await workers.jobs.queues.offers.getJob(jobIds.expireOffer(mine.offerId));
  await job!.promote();
  await waitFor('the job ran and went back to waiting', async () => (await workers.jobs.queues.offers.getJob(jobIds.expireOffer(mine.offerId)))?.isDelayed(), 10_000);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const [row] = await query(`select status, counter_amount from offers where id = ?`, [mine.offerId]);
  t.like(row, { status: 'pending', counter_amount: '45000' });
});
