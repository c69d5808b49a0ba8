import test from 'ava';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { listAuction, placeBid, recordingSms, sql, startInProcessWorkers, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * Jobs are delivered at least once, so every handler must be idempotent. The SMS claim is what
 * makes an SMS go out at most once per notification: a send-sms job delivered
 * twice, or queued again under another id (a relay, a sweep, an operator's retry), must find the
 * row already sent, being sent or failed, and send nothing. Without `status = 'pending'` in the
 * claim every one of these would send again.
 */
let app: TestApi;
let workers: InProcessWorkers;
const sms = recordingSms();
test.before(async () => {
  app = await startTestApi('duplicate_jobs', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0' });
  workers = await startInProcessWorkers(app, sms);
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
});

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

const send = (notificationId: string, jobId: string) => workers.jobs.enqueue('send-sms', { notificationId }, { jobId });
const statusOf = async (id: string) => (await sql<{ status: string }>(app, 'select status from notifications where id = ?', [id]))[0]!.status;

test('a send-sms job queued again for a notification already sent sends nothing more', async (t) => {
  const user = await app.signup();
  const id = await notification(user, 'pending');
  await send(id, jobIds.sendSms(id));
  await waitFor('the first SMS', async () => sms.to(user.phone).length === 1, 10_000);
  await waitFor('the row marked sent', async () => (await statusOf(id)) === 'sent', 5_000);
  // The same notification under other job ids, as a relay or a sweep would queue it.
  await Promise.all([send(id, `${jobIds.sendSms(id)}-again-1`), send(id, `${jobIds.sendSms(id)}-again-2`)]);
  await sleep(1_500);
  t.is(sms.to(user.phone).length, 1, 'one SMS, however many jobs');
  t.is(await statusOf(id), 'sent');
});

test('jobs for a notification being sent by another worker, or failed for good, send nothing', async (t) => {
  const [busy, given] = [await app.signup(), await app.signup()];
  const sending = await notification(busy, 'sending');
  const failed = await notification(given, 'failed');
  await Promise.all([send(sending, jobIds.sendSms(sending)), send(failed, jobIds.sendSms(failed)), send(failed, `${jobIds.sendSms(failed)}-again`)]);
  await sleep(1_500);
  t.is(sms.to(busy.phone).length, 0);
  t.is(sms.to(given.phone).length, 0);
  t.is(await statusOf(sending), 'sending', 'left to the worker sending it (or to the sweep, if that worker died)');
  t.is(await statusOf(failed), 'failed');
});

test('a close job delivered again after the auction closed changes nothing: one trade, one closed event, one SMS each', async (t) => {
  const [seller, bidder] = [await app.signup(), await app.signup()];
  const endsAt = new Date(Date.now() + 1_500);
  const { auctionId } = await listAuction(app, seller, { endsAt });
  await placeBid(app, bidder, auctionId, 10_000);
  await waitFor('the winner’s SMS', async () => sms.to(bidder.phone).length === 1 && sms.to(seller.phone).length === 1, 10_000);
  const world = async () => ({
    trades: await sql(app, 'select buyer_id, price from trades t join auctions a on a.listing_id = t.listing_id where a.id = ?', [auctionId]),
    closed: await sql(app, `select seq from auction_events where auction_id = ? and type = 'closed'`, [auctionId]),
    notices: await sql(app, 'select kind, user_id, status from notifications where auction_id = ? order by kind', [auctionId]),
  });
  const before = await world();
  await Promise.all([1, 2].map((n) => workers.jobs.enqueue('close-auction', { auctionId, endsAt: endsAt.toISOString() }, { jobId: `${jobIds.closeAuction(auctionId, endsAt)}-again-${n}` })));
  await sleep(1_500);
  t.deepEqual(await world(), before);
  t.is(before.trades.length, 1);
  t.is(before.closed.length, 1);
  t.is(sms.to(bidder.phone).length, 1);
  t.is(sms.to(seller.phone).length, 1);
});
