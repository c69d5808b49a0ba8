import test from 'ava';
import { closeAuction } from '../../domain/auctions/close-auction.ts';
import { minimumIncrement } from '../../domain/auctions/increment-table.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { createTestAuction, type AuctionTerms } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';

/**
 * The edges of an auction's life over HTTP: what happens to the listing when an auction ends
 * without a sale, when the winner never pays, when the seller cancels; buy-now's window; proxy
 * bids below the minimum; content frozen by bids; the notices of each step. Each reproduction of
 * the issue is a test here. Closing moves an auction's end into the past and runs the close job's use case.
 */
let app: TestApi;
test.before(async () => {
  app = await startTestApi('lifecycle', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0', AUCTION_CANCEL_CUTOFF_S: '3600', OFFER_TTL_S: '600' });
});
test.after.always(async () => {
  await app?.close();
});

const HOUR_MS = 3_600_000;

const sql = <Row = any>(text: string, params: unknown[] = []) => app.db.orm.em.fork().execute<Row[]>(text, params);

/** `endsInMs` counts from after the seller signed up, so a slow machine cannot make the auction too short. */
async function newAuction(terms: Partial<AuctionTerms> & { endsInMs?: number } = {}) {
  const { endsInMs = HOUR_MS, ...rest } = terms;
  const seller = await app.signup();
  const endsAt = new Date(Date.now() + endsInMs);
  const ids = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt, ...rest });
  return { seller, endsAt, ...ids };
}

const bid = (user: TestUser, auctionId: string, body: unknown) => app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: user.accessToken, body });
const getAuction = (auctionId: string, viewer?: TestUser) => app.request('GET', `/v1/auctions/${auctionId}`, { token: viewer?.accessToken });
const getListing = (listingId: string) => app.request('GET', `/v1/listings/${listingId}`);

/** Ends the auction now (its end moved into the past, however slow the bids before were) and runs what the close job runs. */
async function closeNow(auctionId: string) {
  await sql(`update auctions set ends_at = clock_timestamp() - interval '1 millisecond' where id = ?`, [auctionId]);
  const result = await closeAuction(app.db.orm.em.fork(), app.deps.followUps, auctionId);
  if (result.result !== 'closed') throw new Error(`not closed: ${result.result}`);
  return result;
}

const onSaleIds = async (sellerId: string) =>
  ((await app.request('GET', `/v1/listings?status=on_sale&sellerId=${sellerId}`)).body.items as { id: string }[]).map((l) => l.id);

const noticesOf = (auctionId: string) =>
  sql<{ user_id: string; kind: string; sms: boolean }>(`select user_id, kind, sms from notifications where auction_id = ? order by kind, user_id`, [auctionId]);

test('an auction that ends unsold with bids (reserve not met) ends its listing: off on_sale, and the seller relists it at a fixed price', async (t) => {
  const { seller, auctionId, listingId } = await newAuction({ reservePrice: 50_000 });
  const bidder = await app.signup();
  t.is((await bid(bidder, auctionId, { amount: 20_000 })).status, 201);
  const closed = await closeNow(auctionId);
  t.is(closed.outcome, 'unsold');

  t.is((await getListing(listingId)).body.status, 'ended');
  t.false((await onSaleIds(seller.id)).includes(listingId), 'not found with status=on_sale');
  const notices = await noticesOf(auctionId);
  t.deepEqual(
    notices.map((n) => [n.kind, n.user_id, n.sms]),
    [
      ['auction_lost', bidder.id, false],
      ['auction_unsold', seller.id, true],
    ],
    'the seller hears (SMS), the bidder is told it did not win (inbox only)',
  );

  const relisted = await app.request('POST', `/v1/listings/${listingId}/relist`, { token: seller.accessToken, body: { price: 40_000 } });
  t.is(relisted.status, 201, JSON.stringify(relisted.body));
  t.like(relisted.body, { id: listingId, status: 'on_sale', saleType: 'fixed', price: 40_000, auctionId: null });
  const edited = await app.request('PATCH', `/v1/listings/${listingId}`, { token: seller.accessToken, body: { title: '고정가로 다시 올림' } });
  t.is(edited.status, 200, 'at a fixed price the old auction no longer freezes the title');
  t.true((await onSaleIds(seller.id)).includes(listingId));
  assertProblem(t, await app.request('POST', `/v1/listings/${listingId}/relist`, { token: seller.accessToken, body: { price: 40_000 } }), 409, 'listing-not-ended');
});

test('an ended listing relisted as an auction gets a new auction with a new id and its own close job', async (t) => {
  const { seller, auctionId, listingId } = await newAuction();
  await closeNow(auctionId);
  t.is((await getListing(listingId)).body.status, 'ended');
  const stranger = await app.signup();
  assertProblem(t, await app.request('POST', `/v1/listings/${listingId}/relist`, { token: stranger.accessToken, body: { price: 1_000 } }), 403, 'not-listing-owner');

  const newEnd = new Date(Date.now() + HOUR_MS);
  const relisted = await app.request('POST', `/v1/listings/${listingId}/relist`, {
    token: seller.accessToken,
    body: { auction: { startPrice: 8_000, endsAt: newEnd.toISOString() } },
  });
  t.is(relisted.status, 201, JSON.stringify(relisted.body));
  t.like(relisted.body, { status: 'on_sale', saleType: 'auction', price: 8_000 });
  t.not(relisted.body.auctionId, auctionId);
  t.like((await getAuction(relisted.body.auctionId)).body, { status: 'open', startPrice: 8_000, bidCount: 0 });
  t.like((await getAuction(auctionId)).body, { status: 'closed', outcome: 'unsold' }, 'the old auction stays as it ended');
  t.truthy(await app.deps.jobs.queues.auctions.getJob(`close-${relisted.body.auctionId}-${newEnd.getTime()}`));
});

test('a winner who never pays: either party cancels the auction trade with a reason, the listing ends, and the runner-up gets a second chance at their own highest bid', async (t) => {
  const { seller, auctionId, listingId } = await newAuction();
  const [runnerUp, winner, third] = [await app.signup(), await app.signup(), await app.signup()];
  t.is((await bid(third, auctionId, { amount: 10_000 })).status, 201);
  t.is((await bid(runnerUp, auctionId, { amount: 11_000 })).status, 201);
  t.is((await bid(winner, auctionId, { amount: 15_000 })).status, 201);
  const { tradeId } = await closeNow(auctionId);

  const cancelled = await app.request('POST', `/v1/trades/${tradeId}/cancel`, { token: seller.accessToken, body: { reason: '연락이 없어요' } });
  t.is(cancelled.status, 200, JSON.stringify(cancelled.body));
  t.like(cancelled.body, { status: 'cancelled', kind: 'auction', cancelReason: '연락이 없어요', auctionId });
  t.is((await getListing(listingId)).body.status, 'ended');
  t.false((await onSaleIds(seller.id)).includes(listingId));
  const [toWinner] = await sql(`select kind from notifications where user_id = ? and listing_id = ?`, [winner.id, listingId]);
  t.is(toWinner?.kind, 'trade_cancelled', 'the winner hears it was called off');

  assertProblem(t, await app.request('POST', `/v1/auctions/${auctionId}/second-chance`, { token: runnerUp.accessToken }), 403, 'not-auction-seller');
  const offer = await app.request('POST', `/v1/auctions/${auctionId}/second-chance`, { token: seller.accessToken });
  t.is(offer.status, 201, JSON.stringify(offer.body));
  t.like(offer.body, { kind: 'second_chance', buyerId: runnerUp.id, amount: 11_000, status: 'pending', listingId });
  assertProblem(t, await app.request('POST', `/v1/auctions/${auctionId}/second-chance`, { token: seller.accessToken }), 409, 'second-chance-already-offered');
  const [notice] = await sql(`select kind, sms from notifications where offer_id = ?`, [offer.body.offerId]);
  t.like(notice, { kind: 'second_chance_offer', sms: true });
  t.truthy(await app.deps.jobs.queues.offers.getJob(`offer-expiry-${offer.body.offerId}`), 'its expiry is scheduled');

  assertProblem(t, await app.request('POST', `/v1/offers/${offer.body.offerId}/accept`, { token: third.accessToken }), 403, 'not-offer-buyer');
  const accepted = await app.request('POST', `/v1/offers/${offer.body.offerId}/accept`, { token: runnerUp.accessToken });
  t.is(accepted.status, 201, JSON.stringify(accepted.body));
  const trade = await app.request('GET', `/v1/trades/${accepted.body.tradeId}`, { token: runnerUp.accessToken });
  t.like(trade.body, { buyerId: runnerUp.id, sellerId: seller.id, price: 11_000, status: 'pending', auctionId });
  t.is((await getListing(listingId)).body.status, 'reserved');
  assertProblem(t, await app.request('POST', `/v1/offers/${offer.body.offerId}/accept`, { token: runnerUp.accessToken }), 409, 'offer-not-pending');
});

test('an expired second-chance offer cannot be accepted, judged by the database clock', async (t) => {
  const { seller, auctionId } = await newAuction();
  const [runnerUp, winner] = [await app.signup(), await app.signup()];
  await bid(runnerUp, auctionId, { amount: 10_000 });
  await bid(winner, auctionId, { amount: 12_000 });
  const { tradeId } = await closeNow(auctionId);
  t.is((await app.request('POST', `/v1/trades/${tradeId}/cancel`, { token: winner.accessToken, body: {} })).status, 200);
  const offer = await app.request('POST', `/v1/auctions/${auctionId}/second-chance`, { token: seller.accessToken });
  t.is(offer.status, 201);
  await sql(`update offers set expires_at = clock_timestamp() - interval '1 second' where id = ?`, [offer.body.offerId]);
  assertProblem(t, await app.request('POST', `/v1/offers/${offer.body.offerId}/accept`, { token: runnerUp.accessToken }), 409, 'offer-expired');
});

test('buy-now ends with the first bid: a proxy maximum above the buy-now price can no longer be beaten by buying', async (t) => {
  const { auctionId } = await newAuction({ buyNowPrice: 100_000 });
  const [a, c] = [await app.signup(), await app.signup()];
  t.true((await getAuction(auctionId)).body.buyNowAvailable);
  t.is((await bid(a, auctionId, { amount: 20_000, maxAmount: 150_000 })).status, 201);
  t.false((await getAuction(auctionId)).body.buyNowAvailable);
  assertProblem(t, await app.request('POST', `/v1/auctions/${auctionId}/buy-now`, { token: c.accessToken }), 409, 'buy-now-unavailable');
  t.like((await getAuction(auctionId, a)).body, { status: 'open', leaderId: a.id });
});

test('with a reserve, buy-now stays until a bid meets it; buying then tells the leader they were outbid', async (t) => {
  const { auctionId } = await newAuction({ buyNowPrice: 100_000, reservePrice: 50_000 });
  const [a, c] = [await app.signup(), await app.signup()];
  t.is((await bid(a, auctionId, { amount: 20_000 })).status, 201);
  t.true((await getAuction(auctionId)).body.buyNowAvailable, 'the reserve is not met yet');
  const bought = await app.request('POST', `/v1/auctions/${auctionId}/buy-now`, { token: c.accessToken });
  t.is(bought.status, 201, JSON.stringify(bought.body));
  const notices = await noticesOf(auctionId);
  t.true(notices.some((n) => n.kind === 'outbid' && n.user_id === a.id && n.sms), 'the leader is told by SMS');
  t.true(notices.some((n) => n.kind === 'auction_won' && n.user_id === c.id));

  const met = await newAuction({ buyNowPrice: 100_000, reservePrice: 50_000 });
  t.is((await bid(a, met.auctionId, { amount: 60_000 })).status, 201);
  t.false((await getAuction(met.auctionId)).body.buyNowAvailable, 'a bid met the reserve');
  assertProblem(t, await app.request('POST', `/v1/auctions/${met.auctionId}/buy-now`, { token: c.accessToken }), 409, 'buy-now-unavailable');
});

test('a proxy bid with an amount below the minimum, or with maxAmount alone, bids the least that is needed', async (t) => {
  const { auctionId } = await newAuction({ startPrice: 20_000 });
  const [a, b, c] = [await app.signup(), await app.signup(), await app.signup()];
  const first = await bid(a, auctionId, { amount: 1_000, maxAmount: 30_000 });
  t.is(first.status, 201, JSON.stringify(first.body));
  t.like(first.body, { leading: true, bid: { amount: 20_000, maxAmount: 30_000 } });
  const second = await bid(b, auctionId, { maxAmount: 50_000 });
  t.is(second.status, 201, JSON.stringify(second.body));
  t.like(second.body.auction, { leaderId: b.id, currentPrice: 31_000 });
  assertProblem(t, await bid(c, auctionId, { amount: 1_000 }), 422, 'bid-too-low');
  assertProblem(t, await bid(c, auctionId, { amount: 1_000, maxAmount: 31_500 }), 422, 'bid-too-low');
  assertProblem(t, await bid(c, auctionId, {}), 400, 'validation-failed');
});

test('a 20-bidder race of proxy maxima: the price ends one increment above the second-highest maximum', async (t) => {
  const { auctionId } = await newAuction({ startPrice: 20_000 });
  const maxima = Array.from({ length: 20 }, (_, i) => 20_000 + i * 3_000); // up to 77,000
  const bidders = await Promise.all(maxima.map(() => app.signup()));
  const results = await Promise.all(bidders.map((b, i) => bid(b, auctionId, { amount: 1_000, maxAmount: maxima[i] })));
  t.true(results.every((r) => r.status === 201 || r.status === 422), results.map((r) => r.status).join());
  const top = bidders[19]!;
  // Bids that lost the race for the lock may have been refused as too low; the top maximum can never be.
  t.is(results[19]!.status, 201);
  const view = (await getAuction(auctionId)).body;
  t.is(view.leaderId, top.id);
  // Which maxima got in depends on arrival order (one below the minimum by then is refused); the
  // leader pays one increment over the highest maximum that did, never more than its own.
  const second = Math.max(...maxima.filter((_, i) => i !== 19 && results[i]!.status === 201));
  t.is(view.currentPrice, Math.min(77_000, second + minimumIncrement(second)));
  t.true(view.currentPrice > 24_000, 'far above where the race ended before maxima could bid below the minimum');
});

test('once an auction has a bid its title, category and photos are fixed and the description may only grow; a trade keeps its title', async (t) => {
  const { seller, auctionId, listingId } = await newAuction();
  const patch = (body: unknown) => app.request('PATCH', `/v1/listings/${listingId}`, { token: seller.accessToken, body });
  t.is((await patch({ title: '입찰 전엔 바꿀 수 있음' })).status, 200);
  t.is((await bid(await app.signup(), auctionId, { amount: 10_000 })).status, 201);
  assertProblem(t, await patch({ title: '입찰 후 제목 변경' }), 409, 'content-frozen');
  assertProblem(t, await patch({ categoryId: 2 }), 409, 'content-frozen');
  assertProblem(t, await patch({ description: '완전히 다른 설명' }), 409, 'content-frozen');
  const current = (await getListing(listingId)).body;
  const added = await patch({ description: `${current.description}\n추가: 배터리 교체함` });
  t.is(added.status, 200, 'an addition to the description is fine');
  t.is((await patch({ title: current.title })).status, 200, 'sending the same title changes nothing');

  const fixed = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { title: '원래 제목', description: 'x', categoryId: 1, price: 5_000 } });
  const buyer = await app.signup();
  const trade = await app.request('POST', `/v1/listings/${fixed.body.id}/purchase`, { token: buyer.accessToken });
  t.is((await app.request('PATCH', `/v1/listings/${fixed.body.id}`, { token: seller.accessToken, body: { title: '바뀐 제목' } })).status, 200);
  t.is((await app.request('GET', `/v1/trades/${trade.body.id}`, { token: buyer.accessToken })).body.listingTitle, '원래 제목');
});

test('the seller cancels: before the first bid at any time; with bids only until the cutoff; bidders are told and watchers see closed', async (t) => {
  const early = await newAuction();
  const stranger = await app.signup();
  const cancel = (user: TestUser, auctionId: string, reason = '판매 취소') => app.request('POST', `/v1/auctions/${auctionId}/cancel`, { token: user.accessToken, body: { reason } });
  assertProblem(t, await cancel(stranger, early.auctionId), 403, 'not-auction-seller');
  assertProblem(t, await app.request('POST', `/v1/auctions/${early.auctionId}/cancel`, { token: early.seller.accessToken, body: {} }), 400, 'validation-failed');
  const done = await cancel(early.seller, early.auctionId);
  t.is(done.status, 200, JSON.stringify(done.body));
  t.like(done.body, { status: 'closed', outcome: 'cancelled' });
  t.is((await getListing(early.listingId)).body.status, 'ended');
  const [event] = await sql(`select type, payload->>'outcome' as outcome from auction_events where auction_id = ? order by seq desc limit 1`, [early.auctionId]);
  t.like(event, { type: 'closed', outcome: 'cancelled' });
  assertProblem(t, await cancel(early.seller, early.auctionId), 409, 'auction-cancelled');

  // Cutoff 1 h (AUCTION_CANCEL_CUTOFF_S=3600): with bids, an auction ending in 2 h may be cancelled, one ending in 30 min not.
  const late = await newAuction({ endsInMs: HOUR_MS / 2 });
  const withBids = await newAuction({ endsInMs: 2 * HOUR_MS });
  const [b1, b2] = [await app.signup(), await app.signup()];
  await bid(b1, late.auctionId, { amount: 10_000 });
  await bid(b1, withBids.auctionId, { amount: 10_000 });
  await bid(b2, withBids.auctionId, { amount: 11_000 });
  assertProblem(t, await cancel(late.seller, late.auctionId), 409, 'cancel-too-late');
  t.is((await cancel(withBids.seller, withBids.auctionId)).status, 200);
  t.deepEqual(
    (await noticesOf(withBids.auctionId)).filter((n) => n.kind === 'auction_cancelled').map((n) => n.user_id).sort(),
    [b1.id, b2.id].sort(),
    'every bidder is told',
  );
  assertProblem(t, await bid(b1, withBids.auctionId, { amount: 20_000 }), 409, 'auction-cancelled');
});

test('at the close every bidder who did not win is told so (inbox), besides the winner and the seller', async (t) => {
  const { seller, auctionId } = await newAuction();
  const [x, y, winner] = [await app.signup(), await app.signup(), await app.signup()];
  await bid(x, auctionId, { amount: 10_000 });
  await bid(y, auctionId, { amount: 11_000 });
  await bid(winner, auctionId, { amount: 12_000 });
  await closeNow(auctionId);
  const notices = (await noticesOf(auctionId)).filter((n) => n.kind !== 'outbid');
  t.deepEqual(
    notices.map((n) => [n.kind, n.user_id]).sort(),
    [
      ['auction_lost', x.id],
      ['auction_lost', y.id],
      ['auction_sold', seller.id],
      ['auction_won', winner.id],
    ].sort(),
  );
  t.true(notices.filter((n) => n.kind === 'auction_lost').every((n) => !n.sms), 'no SMS for not winning');
});
