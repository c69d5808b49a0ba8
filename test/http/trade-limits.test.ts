import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { createListing, purchase } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';
import { recordingSms, startInProcessWorkers, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * One buyer cannot reserve everything (the audit: 15 purchases put 15 listings on `reserved` with
 * no limit and no expiry). A buyer holds TRADE_MAX_OPEN_PER_BUYER pending purchases at most, and a
 * pending purchase expires after TRADE_PENDING_TTL_S through a delayed job run by the real workers;
 * the sweep expires those whose job was lost.
 */
const TTL_S = 2;
let app: TestApi;
let workers: InProcessWorkers;
const sms = recordingSms();
test.before(async () => {
  app = await startTestApi('trade_limits', { TRADE_MAX_OPEN_PER_BUYER: '3', TRADE_PENDING_TTL_S: String(TTL_S), SWEEP_INTERVAL_S: '1' });
  workers = await startInProcessWorkers(app, sms);
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
});

const ITEM = { title: '중고 자전거', description: '잘 나갑니다', categoryId: 1, price: 150_000 };
const query = <Row = any>(sql: string, params: unknown[] = []) => app.db.orm.em.fork().execute<Row[]>(sql, params);
const buy = (buyer: TestUser, listingId: string) => app.request('POST', `/v1/listings/${listingId}/purchase`, { token: buyer.accessToken });
const statusOf = async (listingId: string) => (await query<{ status: string }>('select status from listings where id = ?', [listingId]))[0]!.status;

test('a burst of purchases by one buyer gets exactly TRADE_MAX_OPEN_PER_BUYER trades; the rest are 409 and leave their listings on sale', async (t) => {
  // Expiry is not this test's subject: these trades are pushed far out as soon as they exist.
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listings = await Promise.all(Array.from({ length: 12 }, () => createListing(app, seller, ITEM)));
  const results = await Promise.all(listings.map((listing) => buy(buyer, listing.id)));
  await query(`update trades set expires_at = now() + interval '1 day' where buyer_id = ?`, [buyer.id]);
  const bought = results.filter((r) => r.status === 201);
  t.is(bought.length, 3);
  for (const res of results.filter((r) => r.status !== 201)) {
    assertProblem(t, res, 409, 'too-many-open-trades');
    t.is(res.body.maxOpenTrades, 3);
  }
  const statuses = await Promise.all(listings.map((l) => statusOf(l.id)));
  t.is(statuses.filter((s) => s === 'reserved').length, 3);
  t.is(statuses.filter((s) => s === 'on_sale').length, 9);

  // Settling one frees a place; completed trades do not count.
  t.is((await app.request('POST', `/v1/trades/${bought[0]!.body.id}/complete`, { token: buyer.accessToken })).status, 200);
  const next = listings.find((_, i) => results[i]!.status !== 201)!;
  t.is((await buy(buyer, next.id)).status, 201);
  const other = await app.signup();
  t.is((await buy(other, listings.find((l, i) => results[i]!.status !== 201 && l.id !== next.id)!.id)).status, 201, 'another buyer is not held back');
});

test('a pending purchase expires after TRADE_PENDING_TTL_S: the trade is cancelled as expired, the listing is on sale again, both parties are told', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller, ITEM);
  const trade = await purchase(app, buyer, listing.id);
  const ttlMs = Date.parse(trade.expiresAt) - Date.parse(trade.createdAt);
  t.true(Math.abs(ttlMs - TTL_S * 1000) < 1000, `expiresAt is TTL after the purchase: ${ttlMs} ms`);
  t.is(await statusOf(listing.id), 'reserved');

  const expired = await waitFor('the trade expired', async () => {
    const res = await app.request('GET', `/v1/trades/${trade.id}`, { token: buyer.accessToken });
    return res.body.status === 'cancelled' && res.body;
  }, 15_000);
  t.is(expired.cancelReason, 'expired');
  t.is(await statusOf(listing.id), 'on_sale');
  const notices = await query<{ user_id: string; kind: string }>(`select user_id, kind from notifications where listing_id = ? order by user_id`, [listing.id]);
  t.deepEqual(notices.map((n) => n.kind), ['trade_expired', 'trade_expired']);
  t.deepEqual(notices.map((n) => n.user_id).sort(), [buyer.id, seller.id].sort());
  await waitFor('the SMS of both parties', async () => sms.to(buyer.phone).length > 0 && sms.to(seller.phone).length > 0, 10_000);
  t.regex(sms.to(buyer.phone)[0]!.message, /거래가 취소/);

  // Once expired, the hand-over can no longer be confirmed, and someone else may buy.
  assertProblem(t, await app.request('POST', `/v1/trades/${trade.id}/complete`, { token: buyer.accessToken }), 409, 'trade-not-pending');
  t.is((await buy(await app.signup(), listing.id)).status, 201);
});

test('a completed trade does not expire', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller, ITEM);
  const trade = await purchase(app, buyer, listing.id);
  t.is((await app.request('POST', `/v1/trades/${trade.id}/complete`, { token: buyer.accessToken })).status, 200);
  await sleep(TTL_S * 1000 + 2500);
  const [row] = await query(`select status from trades where id = ?`, [trade.id]);
  t.is(row.status, 'completed');
  t.is(await statusOf(listing.id), 'sold');
});

test('a purchase whose expiry job was lost (Redis lost it) is expired by the sweep', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller, ITEM);
  const trade = await purchase(app, buyer, listing.id);
  const job = await waitFor('the expiry job queued', () => workers.jobs.queues.offers.getJob(jobIds.expireTrade(trade.id)), 5000);
  await job.remove();
  t.falsy(await workers.jobs.queues.offers.getJob(jobIds.expireTrade(trade.id)));
  await waitFor('the sweep expired it', async () => (await query(`select status from trades where id = ?`, [trade.id]))[0].status === 'cancelled', 15_000);
  t.is(await statusOf(listing.id), 'on_sale');
});
