import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { listAuction, placeBid } from '../support/listings.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.ts';
import { startSnsRecorder, type SnsRecorder } from '../support/sns.ts';
import { killWorkerProcesses, spawnWorkerProcess, waitForWorkerCount, type WorkerProcess } from '../support/worker-process.ts';
import { sql, troubleIn, waitFor, type LogLine } from '../support/workers.ts';

/**
 * Redis loses everything it held (a restart without persistence, a flush) while the API and two
 * worker processes keep running: the delayed close jobs, the send jobs and the sweep's schedule are
 * gone, and no process is restarted. PostgreSQL still knows what must close and when, so every
 * auction closes within SWEEP_INTERVAL_S + 5 s of Redis being back (or of its end, if later),
 * exactly once: one trade, one SMS to the winner and one to the seller. The private redis-server
 * (no persistence) is restarted and flushed for real, so the tests run one after another.
 */
const SWEEP_S = 2;
const BOUND_MS = (SWEEP_S + 5) * 1000;
const AUCTIONS = 6;

let redis: PrivateRedis;
let app: TestApi;
let sns: SnsRecorder;
let workers: WorkerProcess[];

test.before(async () => {
  redis = await startPrivateRedis();
  app = await startTestApi('redis_loss', { REDIS_URL: redis.url, AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0' });
  sns = await startSnsRecorder();
  const env = { SNS_ENDPOINT: sns.url, SWEEP_INTERVAL_S: String(SWEEP_S) };
  workers = [spawnWorkerProcess(app, env), spawnWorkerProcess(app, env)];
  await waitForWorkerCount(app.deps.jobs, 2, 30_000);
  await waitFor('the sweep schedule', () => app.deps.jobs.queues.maintenance.getJobScheduler('sweep'), 10_000);
});
test.after.always(async () => {
  await killWorkerProcesses();
  await app?.close();
  await sns?.close();
  await redis?.dispose();
});
// Each test starts with Redis up and the app connected, even after one that failed mid-outage.
test.beforeEach(async () => {
  if (!redis.running) await redis.start();
  await waitFor('the app to be connected to Redis', async () => app.deps.jobs.connected && app.deps.redis.status === 'ready', 10_000);
});

interface Listed {
  title: string;
  auctionId: string;
  listingId: string;
  endsAt: Date;
  seller: TestUser;
  winner: TestUser;
}

/** `count` auctions, each with its own seller and one bid by its own winner, ending 200 ms apart from `firstEnd`. */
async function auctionsEnding(tag: string, firstEnd: number, count = AUCTIONS): Promise<Listed[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const [seller, winner] = await Promise.all([app.signup(), app.signup()]);
      const title = `${tag} ${i}번`;
      const endsAt = new Date(firstEnd + i * 200);
      const { auctionId, listingId } = await listAuction(app, seller!, { title, endsAt });
      await placeBid(app, winner!, auctionId, 11_000 + i * 1_000);
      return { title, auctionId, listingId, endsAt, seller: seller!, winner: winner! };
    }),
  );
}

const closeJobsQueued = async (listed: Listed[]) =>
  (await Promise.all(listed.map((a) => app.deps.jobs.queues.auctions.getJob(jobIds.closeAuction(a.auctionId, a.endsAt))))).filter(Boolean).length;

const settlementOf = async (a: Listed) => {
  const [row] = await sql(
    app,
    `select a.status, a.outcome, a.leader_id, (extract(epoch from a.closed_at) * 1000)::bigint as closed_ms,
            (select count(*)::int from trades t where t.listing_id = a.listing_id) as trades,
            (select count(*)::int from auction_events e where e.auction_id = a.id and e.type = 'closed') as closed_events
     from auctions a where a.id = ?`,
    [a.auctionId],
  );
  return { ...row, closed_ms: Number(row.closed_ms) };
};

const smsAbout = (user: TestUser, a: Listed) => sns.script.to(user.phone).filter((r) => r.message?.includes(`"${a.title}"`));

/**
 * Each auction closed within BOUND_MS of the later of its end and `backAt`, once, sold to its
 * winner with one trade and one closed event, and one SMS each to its winner and its seller.
 */
async function assertEachSettledOnce(t: ExecutionContext, listed: Listed[], backAt: number) {
  const deadline = Math.max(backAt, ...listed.map((a) => a.endsAt.getTime())) + BOUND_MS;
  // A little past the bound, so that a late close is reported with its lateness rather than as a timeout.
  await waitFor('every auction to close', async () => (await Promise.all(listed.map(settlementOf))).every((s) => s.status === 'closed'), deadline + 3_000 - Date.now(), 100).catch(
    () => undefined,
  );
  const lateness: number[] = [];
  for (const a of listed) {
    const s = await settlementOf(a);
    t.like(s, { status: 'closed', outcome: 'sold', leader_id: a.winner.id, trades: 1, closed_events: 1 }, a.title);
    const late = s.closed_ms - Math.max(backAt, a.endsAt.getTime());
    lateness.push(late);
    t.true(late <= BOUND_MS, `${a.title} closed ${late} ms after Redis was back or its end (bound ${BOUND_MS} ms)`);
  }
  await waitFor('the winner’s and the seller’s SMS of every auction', async () => listed.every((a) => smsAbout(a.winner, a).length && smsAbout(a.seller, a).length), 15_000).catch(
    () => undefined,
  );
  await sleep(2 * SWEEP_S * 1000); // two more sweeps: no second copy may follow
  for (const a of listed) {
    t.is(smsAbout(a.winner, a).length, 1, `one SMS to the winner of ${a.title}`);
    t.regex(smsAbout(a.winner, a)[0]?.message ?? '', /^\[gavel\] 낙찰되었습니다: /);
    t.is(smsAbout(a.seller, a).length, 1, `one SMS to the seller of ${a.title}`);
    t.regex(smsAbout(a.seller, a)[0]?.message ?? '', /^\[gavel\] 경매 종료: .*낙찰되었습니다/);
  }
  t.deepEqual(
    workers.map((w) => w.running()),
    [true, true],
    'no worker process was restarted',
  );
  // The queues' connections complain while Redis is away; nothing else may go wrong.
  const outage = (l: LogLine) => l.msg === 'worker error' && /ECONNREFUSED|Connection is closed/.test(String((l.err as { message?: string } | undefined)?.message));
  t.deepEqual(workers.flatMap((w) => troubleIn(w.logs).filter((l) => !outage(l))), []);
  t.log(`closed ${Math.min(...lateness)}..${Math.max(...lateness)} ms after Redis was back or the end, whichever was later`);
}

test.serial('Redis restarted without persistence while auctions come due: every one closes within a sweep interval and 5 s of its return, once, with one SMS each', async (t) => {
  // Half come due during the outage, half after Redis is back (their delayed jobs are gone too).
  const overdue = await auctionsEnding('재시작 전', Date.now() + 3_000, AUCTIONS / 2);
  const later = await auctionsEnding('재시작 후', Date.now() + 9_000, AUCTIONS / 2);
  const listed = [...overdue, ...later];
  t.is(await closeJobsQueued(listed), AUCTIONS, 'each auction had its close job in Redis');

  await redis.stop();
  await sleep(Math.max(0, overdue.at(-1)!.endsAt.getTime() + 1_000 - Date.now()));
  await redis.start();
  const backAt = Date.now();
  t.true(backAt > overdue.at(-1)!.endsAt.getTime() && backAt < later[0]!.endsAt.getTime(), 'Redis came back between the two groups of ends');
  await assertEachSettledOnce(t, listed, backAt);
});

test.serial('FLUSHALL before auctions are due: each closes on time anyway, once, with one SMS each', async (t) => {
  const listed = await auctionsEnding('플러시', Date.now() + 5_000);
  t.is(await closeJobsQueued(listed), AUCTIONS, 'each auction had its close job in Redis');

  const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  await admin.flushall().finally(() => admin.disconnect());
  const flushedAt = Date.now();
  t.true(flushedAt < listed[0]!.endsAt.getTime(), 'the flush came before the first end');
  await assertEachSettledOnce(t, listed, flushedAt);
});

test.serial('a sweep schedule lost on its own (the rest of Redis intact) is noticed by the workers and asserted again', async (t) => {
  const [auction] = (await auctionsEnding('스케줄', Date.now() + 2_000, 1)) as [Listed];
  // The schedule and its next run vanish, and so does this auction's close job; the epoch key stays.
  const maintenance = app.deps.jobs.queues.maintenance;
  await maintenance.removeJobScheduler('sweep');
  await waitFor('no sweep running', async () => (await maintenance.getActiveCount()) === 0, 10_000);
  await maintenance.drain(true);
  t.deepEqual(await maintenance.getJobCounts('active', 'waiting', 'delayed', 'prioritized'), { active: 0, waiting: 0, delayed: 0, prioritized: 0 });
  t.is(await app.deps.jobs.queues.auctions.remove(jobIds.closeAuction(auction.auctionId, auction.endsAt)), 1);
  const lostAt = Date.now();

  // Bound: the last sweep's mark lasts two intervals and 5 s; then one check (1 s) and the sweep it starts.
  const bound = 2 * SWEEP_S * 1000 + 5_000 + 1_000 + SWEEP_S * 1000;
  await waitFor('the auction to close', async () => (await settlementOf(auction)).status === 'closed', lostAt + bound + 3_000 - Date.now()).catch(() => undefined);
  const s = await settlementOf(auction);
  t.like(s, { status: 'closed', trades: 1, closed_events: 1 });
  t.true(s.closed_ms - lostAt <= bound, `closed ${s.closed_ms - lostAt} ms after the schedule was lost (bound ${bound} ms)`);
  t.truthy(await maintenance.getJobScheduler('sweep'), 'the schedule is back');
  t.true(
    workers.some((w) => w.logs.some((l) => l.msg === 'no sweep started for two intervals: sweep schedule asserted again')),
    'a worker noticed by itself',
  );
});
