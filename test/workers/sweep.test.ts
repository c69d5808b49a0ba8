import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { createTestAuction, listAuction } from '../support/listings.ts';
import { recordingSms, sql, startInProcessWorkers, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * The periodic sweep (every second here) as the safety net behind the jobs: it closes an auction
 * whose close job was lost, sends a notification whose job was lost, gives up on a send cut off
 * mid-way, and sends "ending soon" notices (ENDING_SOON_NOTICE_S = 10 min) to the users who liked
 * the listing, once. Tests run concurrently, each on its own users and auctions.
 */
const SWEEP_S = 1;
const sms = recordingSms();
let app: TestApi;
let workers: InProcessWorkers;
test.before(async () => {
  app = await startTestApi('sweep', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0', SWEEP_INTERVAL_S: String(SWEEP_S), ENDING_SOON_NOTICE_S: '600' });
  workers = await startInProcessWorkers(app, sms);
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
});

const HOUR_MS = 3_600_000;

test('an overdue auction whose close job was deleted is closed within a few sweep intervals', async (t) => {
  const seller = await app.signup();
  const { auctionId, endsAt } = await listAuction(app, seller, { title: '작업 잃은 경매', endsAt: new Date(Date.now() + 1_500) });
  const jobId = jobIds.closeAuction(auctionId, endsAt);
  t.is(await app.deps.jobs.queues.auctions.remove(jobId), 1, 'the scheduled close job existed and is gone');
  t.is(await app.deps.jobs.queues.auctions.getJob(jobId), undefined);

  // Bound: closed within 3 sweep intervals (+0.5 s) of its end.
  const bound = 3 * SWEEP_S * 1000 + 500;
  await waitFor('the sweep to close it', async () => (await sql(app, `select 1 from auctions where id = ? and status = 'closed'`, [auctionId])).length, endsAt.getTime() + bound - Date.now());
  const [row] = await sql(app, 'select outcome, (extract(epoch from closed_at - ends_at) * 1000)::int as late_ms from auctions where id = ?', [auctionId]);
  t.is(row.outcome, 'unsold');
  t.true(row.late_ms >= 0 && row.late_ms < bound, `closed ${row.late_ms} ms after its end`);
  // The sweep closes it, unless a worker's schedule keeper declared the lost job again first
  // (workers/schedule-keeper.ts): either way nothing waited for the deleted job.
  t.log(workers.logs.some((l) => l.msg === 'sweep closed an overdue auction' && l.auctionId === auctionId) ? 'closed by the sweep' : 'closed by a job declared again');
  t.is((await sql(app, `select 1 from auction_events where auction_id = ? and type = 'closed'`, [auctionId])).length, 1);
  // Its settlement SMS goes out as with a job-closed auction.
  await waitFor('the seller’s SMS', async () => sms.to(seller.phone).length, 2_000);
  t.regex(sms.to(seller.phone)[0]!.message, /"작업 잃은 경매" 입찰이 없어 유찰되었습니다/);
});

test('a pending notification whose job was lost is re-queued by the sweep and sent once', async (t) => {
  const [seller, bidder] = await Promise.all([app.signup(), app.signup()]);
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + HOUR_MS) });
  // Written a minute ago (as by a bid whose enqueue failed after commit), no job anywhere.
  const [row] = await sql<{ id: string }>(
    app,
    `insert into notifications (id, user_id, auction_id, kind, dedupe_key, data, created_at)
     values (gen_random_uuid(), ?, ?, 'outbid', ?, '{"price": 12000}', now() - interval '1 minute') returning id`,
    [bidder.id, auctionId, `outbid:${auctionId}:${bidder.id}:test`],
  );
  t.is(await app.deps.jobs.queues.notifications.getJob(jobIds.sendSms(row!.id)), undefined);

  // Bound: sent within 3 sweep intervals.
  await waitFor('the lost notification to be sent', async () => sms.to(bidder.phone).length, 3 * SWEEP_S * 1000 + 500);
  await sleep(2 * SWEEP_S * 1000 + 200); // two more sweeps: they must not send it again
  t.is(sms.to(bidder.phone).length, 1);
  t.regex(sms.to(bidder.phone)[0]!.message, /^\[gavel\] 더 높은 입찰이 있습니다: .*현재 12,000원/);
  const [after] = await sql(app, 'select status, attempts from notifications where id = ?', [row!.id]);
  t.like(after, { status: 'sent', attempts: 1 });
});

test('a send cut off mid-way (stuck in "sending" past 2 minutes) is marked failed by the sweep, not resent', async (t) => {
  const [seller, bidder] = await Promise.all([app.signup(), app.signup()]);
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + HOUR_MS) });
  // Claimed three minutes ago by a worker that died before SNS answered; its job finished as "skipped".
  const [row] = await sql<{ id: string }>(
    app,
    `insert into notifications (id, user_id, auction_id, kind, dedupe_key, data, status, attempts, created_at, updated_at)
     values (gen_random_uuid(), ?, ?, 'outbid', ?, '{"price": 12000}', 'sending', 1, now() - interval '3 minutes', now() - interval '3 minutes') returning id`,
    [bidder.id, auctionId, `outbid:${auctionId}:${bidder.id}:cut`],
  );
  // A send still in progress (claimed just now) must be left alone.
  const [fresh] = await sql<{ id: string }>(
    app,
    `insert into notifications (id, user_id, auction_id, kind, dedupe_key, data, status, attempts)
     values (gen_random_uuid(), ?, ?, 'outbid', ?, '{"price": 13000}', 'sending', 1) returning id`,
    [bidder.id, auctionId, `outbid:${auctionId}:${bidder.id}:fresh`],
  );

  // Bound: within 3 sweep intervals.
  const failed = await waitFor(
    'the interrupted send to be marked failed',
    async () => (await sql(app, `select status, last_error from notifications where id = ? and status <> 'sending'`, [row!.id]))[0],
    3 * SWEEP_S * 1000 + 500,
  );
  t.is(failed.status, 'failed');
  t.regex(failed.last_error, /interrupted/);
  const [stillSending] = await sql(app, 'select status from notifications where id = ?', [fresh!.id]);
  t.is(stillSending.status, 'sending');
  t.is(sms.to(bidder.phone).length, 0, 'never resent');
});

test('a won notice cut off mid-way is resent by the sweep, once; one claimed too often already is marked failed', async (t) => {
  const [seller, winner, other] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + HOUR_MS) });
  // Both claimed three minutes ago by workers that died before SNS answered.
  const cutOff = (userId: string, attempts: number) =>
    sql<{ id: string }>(
      app,
      `insert into notifications (id, user_id, auction_id, kind, dedupe_key, data, status, attempts, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, 'auction_won', ?, '{"price": 15000}', 'sending', ?, now() - interval '3 minutes', now() - interval '3 minutes') returning id`,
      [userId, auctionId, `auction_won:${auctionId}:${userId}`, attempts],
    ).then(([row]) => row!.id);
  const [once, often] = [await cutOff(winner.id, 1), await cutOff(other.id, 3)];

  // Bound: within 3 sweep intervals.
  await waitFor('the won notice to be resent', async () => sms.to(winner.phone).length, 3 * SWEEP_S * 1000 + 500);
  await sleep(2 * SWEEP_S * 1000 + 200); // two more sweeps: nothing more
  t.is(sms.to(winner.phone).length, 1);
  t.regex(sms.to(winner.phone)[0]!.message, /^\[gavel\] 낙찰되었습니다: .*15,000원/);
  t.like((await sql(app, 'select status, attempts, last_error from notifications where id = ?', [once]))[0], { status: 'sent', attempts: 2, last_error: null });
  t.like((await sql(app, 'select status, last_error from notifications where id = ?', [often]))[0], { status: 'failed', last_error: 'interrupted while sending; claimed too often to resend' });
  t.is(sms.to(other.phone).length, 0);
});

test('"ending soon" notices go once to each user who liked the listing, not to the seller, only for auctions inside the window', async (t) => {
  const [seller, fan1, fan2, otherFan] = await Promise.all([app.signup(), app.signup(), app.signup(), app.signup()]);
  const soon = await listAuction(app, seller, { title: '곧 끝나는 자전거', endsAt: new Date(Date.now() + 5 * 60_000) });
  const later = await listAuction(app, seller, { title: '나중에 끝나는 책상', endsAt: new Date(Date.now() + 30 * 60_000) });
  const like = async (user: typeof seller, listingId: string) =>
    t.is((await app.request('PUT', `/v1/listings/${listingId}/like`, { token: user.accessToken })).status, 200);
  await Promise.all([like(fan1, soon.listingId), like(fan2, soon.listingId), like(seller, soon.listingId), like(otherFan, later.listingId)]);

  // Bound: within 3 sweep intervals; then three more sweeps must add nothing.
  await waitFor('both fans notified', async () => sms.to(fan1.phone).length && sms.to(fan2.phone).length, 3 * SWEEP_S * 1000 + 500);
  await sleep(3 * SWEEP_S * 1000 + 200);
  for (const fan of [fan1, fan2]) {
    t.is(sms.to(fan.phone).length, 1, 'exactly one notice');
    t.is(sms.to(fan.phone)[0]!.message, '[gavel] 관심 경매가 10분 안에 끝납니다: "곧 끝나는 자전거" 현재 10,000원.');
  }
  t.is(sms.to(seller.phone).length, 0, 'not the seller, who liked their own listing');
  t.is(sms.to(otherFan.phone).length, 0, 'not for an auction ending after the window');
  const rows = await sql(app, `select user_id from notifications where kind = 'ending_soon' and auction_id in (?, ?) order by user_id`, [soon.auctionId, later.auctionId]);
  t.deepEqual(rows.map((r) => r.user_id), [fan1.id, fan2.id].sort());
});

test('"ending soon" is judged per recipient: someone who likes the listing after the first notices went out still hears, once', async (t) => {
  const [seller, early, late] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const soon = await listAuction(app, seller, { title: '늦게 찜한 의자', endsAt: new Date(Date.now() + 5 * 60_000) });
  t.is((await app.request('PUT', `/v1/listings/${soon.listingId}/like`, { token: early.accessToken })).status, 200);
  await waitFor('the early liker notified', async () => sms.to(early.phone).length, 3 * SWEEP_S * 1000 + 500);

  t.is((await app.request('PUT', `/v1/listings/${soon.listingId}/like`, { token: late.accessToken })).status, 200);
  await waitFor('the later liker notified too', async () => sms.to(late.phone).length, 3 * SWEEP_S * 1000 + 500);
  await sleep(2 * SWEEP_S * 1000 + 200);
  t.is(sms.to(early.phone).length, 1, 'still one notice for the early liker');
  t.is(sms.to(late.phone).length, 1);
  t.regex(sms.to(late.phone)[0]!.message, /"늦게 찜한 의자"/);
});
