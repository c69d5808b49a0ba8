import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { INTERRUPTED_AFTER_S } from '../../domain/notifications/interrupted-sends.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { listAuction, placeBid } from '../support/listings.ts';
import { startSnsRecorder, type SnsRecorder } from '../support/sns.ts';
import { killWorkerProcesses, spawnWorkerProcess, waitForWorkerCount } from '../support/worker-process.ts';
import { sql, troubleIn, waitFor } from '../support/workers.ts';

/**
 * A worker process SIGKILLed while SNS has its SMS in hand: nobody can know whether they left. The
 * winner's and the seller's are sent again by the next worker (a rare duplicate beats silence); the
 * outbid notice is not (at most once). The INTERRUPTED_AFTER_S (2 minutes) after which a claim
 * counts as cut off are skipped by moving the rows' claim time back.
 */
let app: TestApi;
let sns: SnsRecorder;

test.before(async () => {
  app = await startTestApi('interrupted', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0' });
  sns = await startSnsRecorder();
});
test.after.always(async () => {
  await killWorkerProcesses();
  await app?.close();
  await sns?.close();
});

test('a worker killed mid-send: the won and sold SMS are sent after all by the next worker, the outbid one is not resent', async (t) => {
  const env = { SNS_ENDPOINT: sns.url, JOB_LOCK_MS: '2000', SWEEP_INTERVAL_S: '1' };
  const [seller, outbid, winner] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  for (const user of [seller, outbid, winner]) sns.script.hold(user.phone);
  const doomed = spawnWorkerProcess(app, env);
  await waitForWorkerCount(app.deps.jobs, 1, 30_000);
  const { auctionId, endsAt } = await listAuction(app, seller, { title: '전송 중 사망', endsAt: new Date(Date.now() + 3_000) });
  await placeBid(app, outbid, auctionId, 10_000);
  await placeBid(app, winner, auctionId, 12_000);

  // The outbid, won and sold SMS are all at SNS, unanswered (the SDK gives up after 10 s: kill before).
  await waitFor('three SMS held at SNS', async () => sns.script.held.length >= 3, endsAt.getTime() + 6_000 - Date.now());
  doomed.child.kill('SIGKILL');
  t.like(await doomed.exited, { signal: 'SIGKILL' });
  t.deepEqual(sns.script.held.map((r) => r.phoneNumber).sort(), [seller.phone, outbid.phone, winner.phone].sort());
  const rows = () =>
    sql<{ id: string; kind: string; status: string; attempts: number; last_error: string | null; provider_message_id: string | null }>(
      app,
      `select id, kind, status, attempts, last_error, provider_message_id from notifications where auction_id = ? and sms order by kind`,
      [auctionId],
    );
  const cut = await rows();
  t.deepEqual(cut.map((r) => [r.kind, r.status, r.attempts]), [
    ['auction_sold', 'sending', 1],
    ['auction_won', 'sending', 1],
    ['outbid', 'sending', 1],
  ]);

  // The next worker takes the dead one's jobs over once their lock (2 s) expires: each finds its row
  // claimed and finishes as skipped. A claim this fresh may still be in flight: nobody resends it.
  const next = spawnWorkerProcess(app, { ...env, LOG_LEVEL: 'info' });
  for (const row of cut) {
    await waitFor(`the dead worker’s ${row.kind} job to be retaken and finish`, async () => (await app.deps.jobs.queues.notifications.getJob(jobIds.sendSms(row.id)))?.finishedOn, 30_000);
  }
  t.deepEqual((await rows()).map((r) => r.status), ['sending', 'sending', 'sending'], 'nobody touches a fresh claim');
  t.is(sns.script.requests.length, 0);

  // As if INTERRUPTED_AFTER_S had passed since the claims: the sweep (every second) sees them cut off.
  await sql(app, `update notifications set updated_at = updated_at - make_interval(secs => ?) where auction_id = ? and status = 'sending'`, [INTERRUPTED_AFTER_S + 5, auctionId]);
  await waitFor('the won and sold SMS to be sent after all', async () => sns.script.to(winner.phone).length && sns.script.to(seller.phone).length, 10_000);
  await sleep(3_000); // three more sweeps: nothing more may go out
  t.is(sns.script.to(winner.phone).length, 1, 'the winner’s SMS, once more');
  t.regex(sns.script.to(winner.phone)[0]!.message!, /^\[gavel\] 낙찰되었습니다: "전송 중 사망" 12,000원/);
  t.is(sns.script.to(seller.phone).length, 1, 'the seller’s SMS, once more');
  t.is(sns.script.to(outbid.phone).length, 0, 'the outbid notice is not resent');

  const settled = await rows();
  t.like(settled[0], { kind: 'auction_sold', status: 'sent', attempts: 2, last_error: null });
  t.like(settled[1], { kind: 'auction_won', status: 'sent', attempts: 2, last_error: null });
  t.like(settled[2], { kind: 'outbid', status: 'failed', attempts: 1, last_error: 'interrupted while sending; not resent to avoid a duplicate' });

  // Every row marked sent has its info line: notification id, kind, provider message id; never the phone or the text.
  for (const row of settled.slice(0, 2)) {
    t.like(next.logs.find((l) => l.msg === 'SMS sent' && l.notificationId === row.id), { level: 30, kind: row.kind, messageId: row.provider_message_id }, row.kind);
  }
  const logged = JSON.stringify(next.logs);
  for (const phone of [seller.phone, outbid.phone, winner.phone]) t.false(logged.includes(phone.slice(1)), 'no phone number in the log');
  t.false(logged.includes('전송 중 사망'), 'no SMS text in the log');
  t.deepEqual(troubleIn(next.logs), []);
});
