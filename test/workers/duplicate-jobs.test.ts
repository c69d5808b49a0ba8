import test from 'ava';
import type { Job } from 'bullmq';
import nock from 'nock';
import { randomUUID } from 'node:crypto';
import { jobIds, QUEUE_OF, type JobName, type JobPayloads } from '../../domain/follow-ups/job-contract.ts';
import { createSnsSmsSender } from '../../infra/sns-sms-sender.ts';
import { jpegWithGps, listingWithPhotos, settledListing, storedKeys, upload } from '../photos/support.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { createListing, expectStatus, purchase } from '../support/listings.ts';
import { SnsScript } from '../support/sns.ts';
import { FAKE_AWS_ENV, listAuction, placeBid, sql, startInProcessWorkers, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * Jobs are delivered at least once, so every handler must be idempotent: a job delivered twice, or
 * queued again under another id (a relay, a sweep, the schedule keeper, an operator's retry), must
 * find its work done and change nothing, send nothing, and end as `skipped` rather than fail and
 * retry. Each test names the guard it proves (test/mutants/guards.ts removes them one at a time).
 * SMS go through the real SNS adapter to nock, so counts are Publish requests as SNS would see them.
 */
const SNS = 'https://sns.duplicates.test.local';
Object.assign(process.env, FAKE_AWS_ENV);
const sns = new SnsScript();
let app: TestApi;
let workers: InProcessWorkers;
test.before(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1'));
  nock(SNS)
    .persist()
    .post('/')
    .reply(async (request: Request) => {
      const reply = sns.handle(await request.text());
      return [reply.status, reply.body, { 'content-type': 'text/xml' }];
    });
  app = await startTestApi('duplicate_jobs', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0' });
  workers = await startInProcessWorkers(app, createSnsSmsSender({ region: 'ap-northeast-2', endpoint: SNS }));
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

const enqueue = <J extends JobName>(name: J, payload: JobPayloads[J], jobId: string) => workers.jobs.enqueue(name, payload, { jobId });

/** The job once it has completed, or failed an attempt (a retry would be waiting). */
async function ended(name: JobName, jobId: string): Promise<Job> {
  return waitFor(
    `job ${jobId} to end`,
    async () => {
      const job = await workers.jobs.queues[QUEUE_OF[name]].getJob(jobId);
      return job && (job.finishedOn || job.failedReason) ? job : null;
    },
    15_000,
  );
}

/** Queues `name` again under `jobId` and expects it to find nothing to do: skipped, not failed. */
async function deliverAgain<J extends JobName>(t: import('ava').ExecutionContext, name: J, payload: JobPayloads[J], jobId: string, detail?: string): Promise<void> {
  await enqueue(name, payload, jobId);
  const job = await ended(name, jobId);
  t.falsy(job.failedReason, `${jobId} must not fail (a failed attempt is retried)`);
  t.like(job.returnvalue, { status: 'skipped', ...(detail ? { detail } : {}) }, `${jobId} finds nothing to do`);
}

async function notification(user: TestUser, status: 'pending' | 'sending' | 'sent' | 'failed'): Promise<string> {
  const id = randomUUID();
  await sql(app, `insert into notifications (id, user_id, kind, dedupe_key, data, status, sms) values (?, ?, 'outbid', ?, '{"price": 12000}', ?, true)`, [
    id,
    user.id,
    `test:${id}`,
    status,
  ]);
  return id;
}

const statusOf = async (id: string) => (await sql<{ status: string }>(app, 'select status from notifications where id = ?', [id]))[0]!.status;
const noticesAbout = (column: 'auction_id' | 'listing_id' | 'offer_id', id: string) =>
  sql<{ kind: string; user_id: string }>(app, `select kind, user_id from notifications where ${column} = ? order by kind, user_id`, [id]);

// Guard: the claim's `n.status = 'pending'` (domain/notifications/send-notification.ts).
test('send-sms: a job queued again for a notification already sent sends nothing more', async (t) => {
  const user = await app.signup();
  const id = await notification(user, 'pending');
  await enqueue('send-sms', { notificationId: id }, jobIds.sendSms(id));
  await waitFor('the row marked sent', async () => (await statusOf(id)) === 'sent', 10_000);
  t.is(sns.to(user.phone).length, 1);
  // The same notification under other job ids, as a relay or a sweep would queue it.
  for (const again of [1, 2]) await deliverAgain(t, 'send-sms', { notificationId: id }, `${jobIds.sendSms(id)}-again-${again}`, 'not pending');
  t.is(sns.to(user.phone).length, 1, 'one Publish, however many jobs');
  t.is(await statusOf(id), 'sent');
});

test('send-sms: jobs for a notification being sent by another worker, or failed for good, send nothing', async (t) => {
  const [busy, given] = [await app.signup(), await app.signup()];
  const sending = await notification(busy, 'sending');
  const failed = await notification(given, 'failed');
  await deliverAgain(t, 'send-sms', { notificationId: sending }, jobIds.sendSms(sending), 'not pending');
  await deliverAgain(t, 'send-sms', { notificationId: failed }, jobIds.sendSms(failed), 'not pending');
  await deliverAgain(t, 'send-sms', { notificationId: failed }, `${jobIds.sendSms(failed)}-again`, 'not pending');
  t.is(sns.to(busy.phone).length, 0);
  t.is(sns.to(given.phone).length, 0);
  t.is(await statusOf(sending), 'sending', 'left to the worker sending it (or to the sweep, if that worker died)');
  t.is(await statusOf(failed), 'failed');
});

// Guards: `resolveClose`'s already-closed check (the trades unique index would only turn a second
// settlement into a failing, retried job) and the auction's row lock.
test('close-auction: delivered again after the close changes nothing: one trade, one closed event, one SMS each', async (t) => {
  const [seller, bidder] = [await app.signup(), await app.signup()];
  // Room for the listing and the bid on a busy machine; the close follows the end.
  const endsAt = new Date(Date.now() + 3_000);
  const { auctionId } = await listAuction(app, seller, { endsAt });
  await placeBid(app, bidder, auctionId, 10_000);
  await waitFor('the winner’s and the seller’s SMS sent', async () => (await sql(app, `select 1 from notifications where auction_id = ? and kind in ('auction_won', 'auction_sold') and status = 'sent'`, [auctionId])).length === 2, 10_000);
  const world = async () => ({
    trades: await sql(app, 'select t.buyer_id, t.price, t.status from trades t join auctions a on a.listing_id = t.listing_id where a.id = ?', [auctionId]),
    closed: await sql(app, `select seq from auction_events where auction_id = ? and type = 'closed'`, [auctionId]),
    notices: await sql(app, 'select kind, user_id, status, attempts from notifications where auction_id = ? order by kind, user_id', [auctionId]),
  });
  const before = await world();
  for (const n of [1, 2]) await deliverAgain(t, 'close-auction', { auctionId, endsAt: endsAt.toISOString() }, `${jobIds.closeAuction(auctionId, endsAt)}-again-${n}`, 'already-closed');
  t.deepEqual(await world(), before);
  t.is(before.trades.length, 1);
  t.is(before.closed.length, 1);
  t.is(sns.to(bidder.phone).length, 1);
  t.is(sns.to(seller.phone).length, 1);
});

const acceptedOffer = async () => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller, { price: 50_000 });
  const made = expectStatus(await app.request('POST', `/v1/listings/${listing.id}/offers`, { token: buyer.accessToken, body: { amount: 40_000 } }), 201, 'offer').body;
  const accepted = expectStatus(await app.request('POST', `/v1/offers/${made.offerId}/accept`, { token: seller.accessToken }), 201, 'accept').body;
  return { seller, buyer, listingId: listing.id as string, offerId: made.offerId as string, tradeId: accepted.tradeId as string };
};
const offerFacts = async (offerId: string, listingId: string) => ({
  offer: await sql(app, 'select status, trade_id from offers where id = ?', [offerId]),
  trades: await sql(app, 'select id, status from trades where listing_id = ?', [listingId]),
  listing: await sql(app, 'select status from listings where id = ?', [listingId]),
  notices: await noticesAbout('offer_id', offerId),
});

// Guard: expire-offer's `o.status = 'pending'` (domain/offers/expire-offer.ts).
test('expire-offer: delivered after the offer was accepted, even past its due time, leaves the acceptance alone', async (t) => {
  const { buyer, seller, listingId, offerId } = await acceptedOffer();
  await sql(app, `update offers set expires_at = clock_timestamp() - interval '1 second' where id = ?`, [offerId]);
  const before = await offerFacts(offerId, listingId);
  t.like(before.offer[0], { status: 'accepted' });
  await deliverAgain(t, 'expire-offer', { offerId, expiresAt: new Date().toISOString() }, `${jobIds.expireOffer(offerId)}-again`, 'not-pending');
  t.deepEqual(await offerFacts(offerId, listingId), before);
  t.false((await noticesAbout('offer_id', offerId)).some((n) => n.kind === 'offer_expired'), 'nobody told it expired');
  await waitFor('the accepted offer’s SMS', async () => sns.to(buyer.phone).length === 1, 10_000);
  t.is(sns.to(seller.phone).length, 0);
});

test('expire-offer: delivered twice after it expired, both parties are told once', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller, { price: 50_000 });
  const made = expectStatus(await app.request('POST', `/v1/listings/${listing.id}/offers`, { token: buyer.accessToken, body: { amount: 40_000 } }), 201, 'offer').body;
  await sql(app, `update offers set expires_at = clock_timestamp() - interval '1 second' where id = ?`, [made.offerId]);
  await (await workers.jobs.queues.offers.getJob(jobIds.expireOffer(made.offerId)))!.promote();
  const first = await ended('expire-offer', jobIds.expireOffer(made.offerId));
  t.like(first.returnvalue, { status: 'done', detail: 'expired' });
  const before = await offerFacts(made.offerId, listing.id);
  await deliverAgain(t, 'expire-offer', { offerId: made.offerId, expiresAt: new Date().toISOString() }, `${jobIds.expireOffer(made.offerId)}-again`, 'not-pending');
  t.deepEqual(await offerFacts(made.offerId, listing.id), before);
  t.deepEqual(before.notices.filter((n) => n.kind === 'offer_expired').map((n) => n.user_id).sort(), [buyer.id, seller.id].sort());
});

const tradeFacts = async (tradeId: string, listingId: string) => ({
  trade: await sql(app, 'select status, cancel_reason from trades where id = ?', [tradeId]),
  listing: await sql(app, 'select status from listings where id = ?', [listingId]),
  notices: await noticesAbout('listing_id', listingId),
});

// Guard: expire-trade's `trade.status !== 'pending'` (domain/trades/expire-trade.ts).
test('expire-trade: delivered after the purchase was completed, even past its due time, leaves it sold', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller);
  const trade = await purchase(app, buyer, listing.id);
  expectStatus(await app.request('POST', `/v1/trades/${trade.id}/complete`, { token: buyer.accessToken }), 200, 'complete');
  await sql(app, `update trades set expires_at = clock_timestamp() - interval '1 second' where id = ?`, [trade.id]);
  const before = await tradeFacts(trade.id, listing.id);
  t.like(before, { trade: [{ status: 'completed' }], listing: [{ status: 'sold' }] });
  await deliverAgain(t, 'expire-trade', { tradeId: trade.id, expiresAt: new Date().toISOString() }, `${jobIds.expireTrade(trade.id)}-again`, 'not-pending');
  t.deepEqual(await tradeFacts(trade.id, listing.id), before);
  t.is(sns.to(buyer.phone).length + sns.to(seller.phone).length, 0, 'nobody texted that it expired');
});

test('expire-trade: delivered twice after it expired, one cancellation and one SMS to each party', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller);
  const trade = await purchase(app, buyer, listing.id);
  await sql(app, `update trades set expires_at = clock_timestamp() - interval '1 second' where id = ?`, [trade.id]);
  await (await workers.jobs.queues.offers.getJob(jobIds.expireTrade(trade.id)))!.promote();
  t.like((await ended('expire-trade', jobIds.expireTrade(trade.id))).returnvalue, { status: 'done', detail: 'expired' });
  await waitFor('both parties texted', async () => sns.to(buyer.phone).length === 1 && sns.to(seller.phone).length === 1, 10_000);
  const before = await tradeFacts(trade.id, listing.id);
  t.like(before, { trade: [{ status: 'cancelled', cancel_reason: 'expired' }], listing: [{ status: 'on_sale' }] });
  await deliverAgain(t, 'expire-trade', { tradeId: trade.id, expiresAt: new Date().toISOString() }, `${jobIds.expireTrade(trade.id)}-again`, 'not-pending');
  t.deepEqual(await tradeFacts(trade.id, listing.id), before);
  t.is(sns.to(buyer.phone).length, 1);
  t.is(sns.to(seller.phone).length, 1);
});

// Guard: expire-trade's `wait_ms > 0`, judged by the database clock (domain/trades/expire-trade.ts).
test('expire-trade: delivered before the purchase is due (a host clock ahead) leaves it pending and waits', async (t) => {
  const [seller, buyer] = [await app.signup(), await app.signup()];
  const listing = await createListing(app, seller);
  const trade = await purchase(app, buyer, listing.id);
  const early = `${jobIds.expireTrade(trade.id)}-early`;
  await enqueue('expire-trade', { tradeId: trade.id, expiresAt: trade.expiresAt }, early);
  await waitFor('the early job back to waiting', async () => (await workers.jobs.queues.offers.getJob(early))?.isDelayed(), 10_000);
  const facts = await tradeFacts(trade.id, listing.id);
  t.like(facts, { trade: [{ status: 'pending', cancel_reason: null }], listing: [{ status: 'reserved' }] });
  t.deepEqual(facts.notices, []);
  t.is(sns.to(buyer.phone).length + sns.to(seller.phone).length, 0);
});

// Guard: process-photo's `photo.status !== 'processing'` (domain/photos/process-photo.ts).
test('process-photo: delivered again after the photo is ready keeps its files and its row', async (t) => {
  const seller = await app.signup();
  const photoId = await upload(app, seller, await jpegWithGps(640, 480));
  const listing = await settledListing(app, (await listingWithPhotos(app, seller, [photoId])).id);
  t.like(listing.photos[0], { status: 'ready' });
  const files = async () => (await storedKeys(app)).filter((key) => key.includes(photoId));
  const row = () => sql(app, 'select status, display_key, thumbnail_key, width, height, failure from listing_photos where id = ?', [photoId]);
  const before = { files: await files(), row: await row() };
  t.is(before.files.length, 2, 'display and thumbnail, the original deleted');
  await deliverAgain(t, 'process-photo', { photoId }, `${jobIds.processPhoto(photoId)}-again`, 'already ready');
  t.deepEqual({ files: await files(), row: await row() }, before);
});

// Guard: the local store's `force: true` (infra/local-object-store.ts): removing what is gone is done.
test('delete-objects: delivered again after the objects are gone completes without a failed attempt', async (t) => {
  const seller = await app.signup();
  const photoId = await upload(app, seller, await jpegWithGps(320, 240));
  const listing = await settledListing(app, (await listingWithPhotos(app, seller, [photoId])).id);
  const keys = (await storedKeys(app)).filter((key) => key.includes(photoId));
  t.is(keys.length, 2);
  expectStatus(await app.request('DELETE', `/v1/listings/${listing.id}`, { token: seller.accessToken }), 204, 'delete listing');
  await waitFor('the objects removed', async () => !(await storedKeys(app)).some((key) => key.includes(photoId)), 10_000);
  for (const n of [1, 2]) {
    await enqueue('delete-objects', { keys }, `delete-again-${photoId}-${n}`);
    const job = await ended('delete-objects', `delete-again-${photoId}-${n}`);
    t.falsy(job.failedReason);
    t.like(job.returnvalue, { status: 'done' });
  }
});

// Guard: the keyword_match dedupe key (listing, listing time, user) in domain/notifications/notices.ts.
test('match-keyword-alerts: delivered again for the same listing time writes no second notice', async (t) => {
  const [watcher, seller] = [await app.signup(), await app.signup()];
  expectStatus(await app.request('POST', '/v1/me/keyword-alerts', { token: watcher.accessToken, body: { keyword: '의자' } }), 201, 'alert');
  const listing = await createListing(app, seller, { title: '캠핑의자를 팝니다', description: '두 번 썼어요', categoryId: 8, price: 20_000 });
  const matches = async () => (await noticesAbout('listing_id', listing.id)).filter((n) => n.kind === 'keyword_match');
  await waitFor('the keyword_match notice', async () => (await matches()).length === 1, 10_000);
  const original = await waitFor(
    'the job the listing declared, completed',
    async () => (await workers.jobs.queues.notifications.getJobs(['completed'], 0, 1000)).find((job) => job.name === 'match-keyword-alerts' && job.data.listingId === listing.id),
    10_000,
  );
  for (const n of [1, 2]) await deliverAgain(t, 'match-keyword-alerts', original.data, `${original.id}-again-${n}`, '0 notified');
  t.deepEqual((await matches()).map((n) => n.user_id), [watcher.id], 'one notice for the watcher');
});
