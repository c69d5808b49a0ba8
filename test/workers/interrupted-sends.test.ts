import test from 'ava';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { listAuction, placeBid } from '../support/listings.ts';
import { parsePublish } from '../support/sns.ts';
import { killWorkerProcesses, spawnWorkerProcess, waitForWorkerCount } from '../support/worker-process.ts';
import { recordingSms, sql, startInProcessWorkers, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * A worker SIGKILLed while SNS has its SMS in hand: nobody can know whether they left. The winner's
 * and the seller's are sent again, once, by the next worker; the outbid notice is not (at most once).
 * The 2 minutes after which a send counts as cut off are skipped by moving the rows' claim time back.
 */
let app: TestApi;
let workers: InProcessWorkers | undefined;
let sns: Server;
/** The phone numbers of the Publish requests SNS took and never answered. */
const heldBySns: (string | null)[] = [];

test.before(async () => {
  app = await startTestApi('interrupted', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0', SWEEP_INTERVAL_S: '1' });
  // An SNS that takes every Publish and never answers: the worker dies with the sends in flight.
  sns = createServer((req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => heldBySns.push(parsePublish(Buffer.concat(chunks).toString('utf8')).phoneNumber));
  });
  await new Promise<void>((resolve) => sns.listen(0, '127.0.0.1', resolve));
});
test.after.always(async () => {
  await killWorkerProcesses();
  await workers?.close();
  await app?.close();
  sns?.closeAllConnections();
  sns?.close();
});

test('a worker killed mid-send: the won and sold SMS are resent once by the next worker, the outbid one is not', async (t) => {
  const snsUrl = `http://127.0.0.1:${(sns.address() as AddressInfo).port}`;
  const doomed = spawnWorkerProcess(app, { SNS_ENDPOINT: snsUrl, JOB_LOCK_MS: '2000', SWEEP_INTERVAL_S: '1' });
  await waitForWorkerCount(app.deps.jobs, 1, 30_000);
  const [seller, outbid, winner] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const { auctionId, endsAt } = await listAuction(app, seller, { title: '전송 중 사망', endsAt: new Date(Date.now() + 3_000) });
  await placeBid(app, outbid, auctionId, 10_000);
  await placeBid(app, winner, auctionId, 12_000);

  // The outbid, won and sold SMS are all at SNS, unanswered (the SDK gives up after 10 s; kill before).
  await waitFor('three SMS held at SNS', async () => heldBySns.length >= 3, endsAt.getTime() + 6_000 - Date.now());
  doomed.child.kill('SIGKILL');
  t.like(await doomed.exited, { signal: 'SIGKILL' });
  t.deepEqual([...heldBySns].sort(), [seller.phone, outbid.phone, winner.phone].sort());
  const rows = () => sql<{ id: string; kind: string; status: string; attempts: number; last_error: string | null; provider_message_id: string | null }>(
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
  // claimed and finishes as skipped, so the send's own job id is spent.
  const sms = recordingSms();
  workers = await startInProcessWorkers(app, sms, { lockDurationMs: 2_000, logLevel: 'info' });
  for (const row of cut) {
    await waitFor(`the dead worker's job for ${row.kind} to be retaken and finish`, async () => (await app.deps.jobs.queues.notifications.getJob(jobIds.sendSms(row.id)))?.finishedOn, 20_000);
  }
  t.deepEqual((await rows()).map((r) => r.status), ['sending', 'sending', 'sending'], 'nobody touches a fresh claim');
  t.is(sms.sent.length, 0);

  // As if 2 minutes had passed since the claims: the sweep (every second) now sees them cut off.
  await sql(app, `update notifications set updated_at = updated_at - interval '3 minutes' where auction_id = ? and status = 'sending'`, [auctionId]);
  await waitFor('the won and sold SMS to be resent', async () => sms.to(winner.phone).length && sms.to(seller.phone).length, 5_000);
  await sleep(3_000); // three more sweeps: nothing more may go out
  t.is(sms.to(winner.phone).length, 1, 'one SMS to the winner');
  t.regex(sms.to(winner.phone)[0]!.message, /^\[gavel\] 낙찰되었습니다: "전송 중 사망" 12,000원/);
  t.is(sms.to(seller.phone).length, 1, 'one SMS to the seller');
  t.is(sms.to(outbid.phone).length, 0, 'the outbid notice is not resent');

  const settled = await rows();
  t.like(settled[0], { kind: 'auction_sold', status: 'sent', attempts: 2, last_error: null });
  t.like(settled[1], { kind: 'auction_won', status: 'sent', attempts: 2, last_error: null });
  t.like(settled[2], { kind: 'outbid', status: 'failed', attempts: 1, last_error: 'interrupted while sending; not resent to avoid a duplicate' });

  // Every SMS sent is in the log: masked phone, kind, notification id, provider message id.
  for (const row of settled.slice(0, 2)) {
    const line = workers.logs.find((l) => l.msg === 'SMS sent' && l.notificationId === row.id);
    const phone = row.kind === 'auction_won' ? winner.phone : seller.phone;
    t.like(line, { level: 30, kind: row.kind, messageId: row.provider_message_id, to: `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}` }, row.kind);
  }
  t.false(JSON.stringify(workers.logs).includes(winner.phone) || JSON.stringify(workers.logs).includes(seller.phone), 'no full phone number in the log');
});
