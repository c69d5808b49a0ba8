import test from 'ava';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { startSnsRecorder, type SnsRecorder } from '../support/sns.ts';
import { killWorkerProcesses, spawnWorkerProcess } from '../support/worker-process.ts';
import { listAuction, placeBid } from '../support/listings.ts';
import { sql, troubleIn, waitFor } from '../support/workers.ts';

/**
 * Worker processes dying or stopping in the middle of a settlement. The test stops the close
 * transaction at a known point: it holds `LOCK TABLE trades IN EXCLUSIVE MODE`, so the worker's
 * close has updated the auction (and written its event and notifications) but blocks inserting
 * the trade. Each test has its own database, Redis prefix and SNS stand-in, so they run at once.
 */
const apps: TestApi[] = [];
const recorders: SnsRecorder[] = [];
const lockHolders = new Set<pg.Client>();

test.after.always(async () => {
  await killWorkerProcesses();
  await Promise.all([...lockHolders].map((client) => client.end().catch(() => undefined)));
  await Promise.all(apps.map((app) => app.close()));
  await Promise.all(recorders.map((r) => r.close()));
});

async function setUp(label: string) {
  const app = await startTestApi(label, { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0' });
  apps.push(app);
  const sns = await startSnsRecorder();
  recorders.push(sns);
  const env = { SNS_ENDPOINT: sns.url, JOB_LOCK_MS: '2000', SWEEP_INTERVAL_S: '1' };
  const [seller, winner] = await Promise.all([app.signup(), app.signup()]);
  const { auctionId, listingId, endsAt } = await listAuction(app, seller, { title: '정산 중단 테스트', endsAt: new Date(Date.now() + 1_500) });
  await placeBid(app, winner, auctionId, 15_000);
  return { app, sns, env, seller, winner, auctionId, listingId, endsAt };
}

/** Holds the trades table in a transaction of the test's own until `release`. */
async function blockTradeInserts(app: TestApi) {
  const client = new pg.Client({ connectionString: app.db.url });
  client.on('error', () => undefined); // dropped with the test database if a test fails first
  lockHolders.add(client);
  await client.connect();
  await client.query('begin');
  await client.query('lock table trades in exclusive mode');
  return {
    async release() {
      await client.query('rollback');
      await client.end();
      lockHolders.delete(client);
    },
  };
}

/** The backend of a close transaction stuck on the trades lock, seen from outside it. */
async function closeBlockedOnTrades(app: TestApi, timeoutMs: number): Promise<number> {
  const row = await waitFor(
    'a close transaction waiting for the trades lock',
    async () =>
      (
        await sql<{ pid: number }>(
          app,
          `select pid from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into "trades"%'`,
        )
      )[0],
    timeoutMs,
  );
  return row.pid;
}

const settlement = async (app: TestApi, auctionId: string, listingId: string) => {
  const [auction] = await sql(app, 'select status, outcome, leader_id, current_price from auctions where id = ?', [auctionId]);
  return {
    auction: { ...auction, current_price: Number(auction.current_price) },
    trades: await sql(app, 'select buyer_id, price from trades where listing_id = ?', [listingId]),
    closedEvents: (await sql(app, `select seq from auction_events where auction_id = ? and type = 'closed'`, [auctionId])).length,
    notifications: await sql<{ id: string; kind: string; user_id: string; status: string }>(
      app,
      'select id, kind, user_id, status from notifications where auction_id = ? order by kind',
      [auctionId],
    ),
  };
};

const smsCount = (sns: SnsRecorder, user: TestUser) => sns.script.to(user.phone).length;

test('a worker SIGKILLed mid-settlement leaves nothing half-done; a second worker settles it once, with one SMS each', async (t) => {
  const { app, sns, env, seller, winner, auctionId, listingId, endsAt } = await setUp('crash_kill');
  const lock = await blockTradeInserts(app);
  const first = spawnWorkerProcess(app, env);
  // Bound: the close job runs at the end; it must be stuck at the trade insert soon after it (15 s:
  // a worker process starting on a loaded machine takes seconds before it takes jobs).
  const backend = await closeBlockedOnTrades(app, endsAt.getTime() + 15_000 - Date.now());
  const [locked] = await sql(app, 'select id from auctions where id = ? for update skip locked', [auctionId]);
  t.is(locked, undefined, 'the close holds the auction row: it has updated it, uncommitted');
  t.like((await settlement(app, auctionId, listingId)).auction, { status: 'open' }, 'nothing committed yet');

  first.child.kill('SIGKILL');
  t.like(await first.exited, { signal: 'SIGKILL' });
  await lock.release();
  // The killed worker's backend notices its client is gone and rolls everything back.
  await waitFor('the killed worker’s backend to end', async () => !(await sql(app, 'select 1 from pg_stat_activity where pid = ?', [backend])).length, 5_000);
  const afterCrash = await settlement(app, auctionId, listingId);
  t.like(afterCrash, { auction: { status: 'open', outcome: null }, trades: [], closedEvents: 0, notifications: [] }, 'the half-done close left no trace');
  t.is(sns.script.requests.length, 0);

  const restartedAt = Date.now();
  const second = spawnWorkerProcess(app, env);
  // Bound: its sweep (every second) or the retaken job (lock 2 s) settles it within 10 s.
  await waitFor(
    'the second worker to settle and send both SMS',
    async () => (await settlement(app, auctionId, listingId)).notifications.every((n) => n.status === 'sent') && smsCount(sns, winner) + smsCount(sns, seller) >= 2,
    10_000,
  );
  t.log(`settled ${Date.now() - restartedAt} ms after the second worker started`);
  await sleep(2_500); // past the dead worker's job lock: the stalled job runs again and must find nothing to do

  const final = await settlement(app, auctionId, listingId);
  t.like(final.auction, { status: 'closed', outcome: 'sold', leader_id: winner.id, current_price: 15_000 });
  t.deepEqual(final.trades.map((tr) => ({ ...tr, price: Number(tr.price) })), [{ buyer_id: winner.id, price: 15_000 }], 'exactly one trade');
  t.is(final.closedEvents, 1, 'exactly one closed event');
  t.deepEqual(final.notifications.map((n) => [n.kind, n.user_id, n.status]), [
    ['auction_sold', seller.id, 'sent'],
    ['auction_won', winner.id, 'sent'],
  ]);
  t.is(smsCount(sns, winner), 1, 'one SMS to the winner');
  t.is(smsCount(sns, seller), 1, 'one SMS to the seller');
  t.is(sns.script.requests.length, 2);
  t.deepEqual(troubleIn(second.logs), []);
});

test('SIGTERM while a settlement is in progress: the worker finishes it, then exits 0', async (t) => {
  const { app, sns, env, seller, winner, auctionId, listingId, endsAt } = await setUp('crash_term');
  const lock = await blockTradeInserts(app);
  const worker = spawnWorkerProcess(app, env);
  await closeBlockedOnTrades(app, endsAt.getTime() + 15_000 - Date.now());

  worker.child.kill('SIGTERM');
  const termAt = Date.now();
  await sleep(1_000);
  t.true(worker.running(), 'still running: it waits for the job in progress');
  await lock.release();
  // Bound: exits within 5 s of the release (the shutdown deadline is 25 s).
  const exit = await Promise.race([worker.exited, sleep(5_000).then(() => 'timeout' as const)]);
  t.deepEqual(exit, { code: 0, signal: null }, 'exit code 0');
  t.log(`exited ${Date.now() - termAt} ms after SIGTERM`);

  const final = await settlement(app, auctionId, listingId);
  t.like(final.auction, { status: 'closed', outcome: 'sold', leader_id: winner.id });
  t.is(final.trades.length, 1);
  t.is(final.closedEvents, 1);
  // Nothing lost: each notification is either sent already or queued for the next worker.
  t.is(final.notifications.length, 2);
  for (const n of final.notifications) {
    const state = await (await app.deps.jobs.queues.notifications.getJob(`sms-${n.id}`))?.getState();
    t.true(n.status === 'sent' || (n.status === 'pending' && state === 'waiting'), `${n.kind}: ${n.status}, job ${state}`);
  }
  t.true(smsCount(sns, winner) <= 1 && smsCount(sns, seller) <= 1);
  t.deepEqual(troubleIn(worker.logs), []);
});
