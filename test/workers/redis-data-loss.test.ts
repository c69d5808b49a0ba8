import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { listAuction, placeBid } from '../support/listings.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.ts';
import { recordingSms, sql, startInProcessWorkers, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * Redis loses everything it held (a flush, a restart without persistence, a failover to an empty
 * replica) while the API and the workers keep running: the delayed close jobs and the sweep's
 * schedule are gone, and no process is restarted. PostgreSQL still knows what must close and when,
 * so every auction must still close within a sweep interval and 5 s of Redis being back (or of its
 * end, if later), exactly once, with one trade, one SMS to the winner and one to the seller. A
 * private redis-server is flushed and restarted for real, so the tests run one after another.
 */
const SWEEP_S = 2;
const BOUND_MS = (SWEEP_S + 5) * 1000;
const AUCTIONS = 8;

const sms = recordingSms();
let redis: PrivateRedis;
let app: TestApi;
let workers: InProcessWorkers;
let sellers: TestUser[];
let winners: TestUser[];

test.before(async () => {
  redis = await startPrivateRedis();
  app = await startTestApi('redis_loss', { REDIS_URL: redis.url, AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0', SWEEP_INTERVAL_S: String(SWEEP_S) });
  workers = await startInProcessWorkers(app, sms);
  [sellers, winners] = await Promise.all([
    Promise.all(Array.from({ length: AUCTIONS }, () => app.signup())),
    Promise.all(Array.from({ length: AUCTIONS }, () => app.signup())),
  ]);
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
  await redis?.dispose();
});
// Each test starts with Redis up and the app connected to it (its producer reconnects on its own
// timer), even after one that failed mid-outage.
test.beforeEach(async () => {
  if (!redis.running) await redis.start();
  await waitFor('the app to be connected to Redis', async () => app.deps.jobs.connected && app.deps.redis.status === 'ready', 10_000);
});

interface Listed {
  i: number;
  title: string;
  auctionId: string;
  listingId: string;
  endsAt: Date;
  seller: TestUser;
  winner: TestUser;
}

/** `count` auctions, each with its own seller and one bid by its own winner, ending 150 ms apart from `firstEndMs`. */
async function auctionsEndingAt(tag: string, firstEndMs: number, count = AUCTIONS): Promise<Listed[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const title = `${tag} ${i}번 경매`;
      const endsAt = new Date(firstEndMs + i * 150);
      const { auctionId, listingId } = await listAuction(app, sellers[i]!, { title, endsAt });
      await placeBid(app, winners[i]!, auctionId, 11_000 + i * 1_000);
      return { i, title, auctionId, listingId, endsAt, seller: sellers[i]!, winner: winners[i]! };
    }),
  );
}

async function flushAll() {
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  try {
    await admin.flushall();
  } finally {
    admin.disconnect();
  }
}

const closeJobsQueued = async (listed: Listed[]) =>
  (await Promise.all(listed.map((a) => app.deps.jobs.queues.auctions.getJob(jobIds.closeAuction(a.auctionId, a.endsAt))))).filter(Boolean).length;

const settlementOf = (a: Listed) =>
  sql(
    app,
    `select a.status, a.outcome, a.leader_id, (extract(epoch from a.closed_at) * 1000)::bigint as closed_ms,
            (select count(*)::int from trades t where t.listing_id = a.listing_id) as trades,
            (select count(*)::int from auction_events e where e.auction_id = a.id and e.type = 'closed') as closed_events
     from auctions a where a.id = ?`,
    [a.auctionId],
  ).then(([row]) => ({ ...row, closed_ms: Number(row.closed_ms) }));

/**
 * Every auction closed within BOUND_MS of the later of its end and `backAt`, once, sold to its
 * winner with one trade, and one SMS each to the winner and the seller.
 */
async function assertEachSettledOnce(t: ExecutionContext, listed: Listed[], backAt: number) {
  const deadline = Math.max(backAt, ...listed.map((a) => a.endsAt.getTime())) + BOUND_MS;
  // A little past the bound, so a late close is reported with its lateness rather than as a timeout.
  await waitFor(
    `all ${AUCTIONS} auctions to close`,
    async () => (await Promise.all(listed.map(settlementOf))).every((s) => s.status === 'closed'),
    deadline + 3_000 - Date.now(),
    100,
  ).catch(() => undefined);
  const lateness: number[] = [];
  for (const a of listed) {
    const s = await settlementOf(a);
    t.like(s, { status: 'closed', outcome: 'sold', leader_id: a.winner.id, trades: 1, closed_events: 1 }, a.title);
    const late = s.closed_ms - Math.max(backAt, a.endsAt.getTime());
    lateness.push(late);
    t.true(late <= BOUND_MS, `${a.title} closed ${late} ms after Redis was back or its end (bound ${BOUND_MS} ms)`);
  }
  const sentTo = (user: TestUser, a: Listed) => sms.to(user.phone).filter((m) => m.message.includes(`"${a.title}"`));
  await waitFor('the winner’s and the seller’s SMS of every auction', async () => listed.every((a) => sentTo(a.winner, a).length && sentTo(a.seller, a).length), 15_000).catch(() => undefined);
  await sleep(1_500); // no second copy may follow
  for (const a of listed) {
    t.is(sentTo(a.winner, a).length, 1, `one SMS to the winner of ${a.title}`);
    t.regex(sentTo(a.winner, a)[0]?.message ?? '', /^\[gavel\] 낙찰되었습니다: /);
    t.is(sentTo(a.seller, a).length, 1, `one SMS to the seller of ${a.title}`);
    t.regex(sentTo(a.seller, a)[0]?.message ?? '', /^\[gavel\] 경매 종료: .*낙찰되었습니다/);
  }
  t.log(`closed ${Math.min(...lateness)}..${Math.max(...lateness)} ms after Redis was back or the end, whichever was later`);
}

test.serial('FLUSHALL before 8 auctions are due: each closes on time anyway, once, with one trade and one SMS to its winner and its seller', async (t) => {
  const listed = await auctionsEndingAt('플러시', Date.now() + 8_000);
  t.is(await closeJobsQueued(listed), AUCTIONS, 'each auction had its close job in Redis');

  await flushAll();
  const backAt = Date.now();
  t.true(backAt < listed[0]!.endsAt.getTime(), 'the flush came before the first end');
  await assertEachSettledOnce(t, listed, backAt);
  t.true(workers.logs.some((l) => l.reason === 'Redis lost its data'), 'the workers saw the loss by themselves');
});

test.serial('Redis restarted without persistence before 8 auctions are due: each closes on time anyway, once, with one trade and one SMS each', async (t) => {
  const listed = await auctionsEndingAt('재시작', Date.now() + 9_000);
  t.is(await closeJobsQueued(listed), AUCTIONS, 'each auction had its close job in Redis');

  await redis.stop();
  await sleep(1_500);
  await redis.start();
  const backAt = Date.now();
  t.true(backAt < listed[0]!.endsAt.getTime(), 'Redis was back before the first end');
  await assertEachSettledOnce(t, listed, backAt);
});

test.serial('Redis down while 8 auctions come due: they close in PostgreSQL during the outage, and the SMS go out once it is back', async (t) => {
  const listed = await auctionsEndingAt('정전', Date.now() + 8_000);
  await sleep(listed[0]!.endsAt.getTime() - 1_000 - Date.now());
  await redis.stop();
  const lastEnd = listed.at(-1)!.endsAt.getTime();
  // Down for a sweep interval and 5 s past the last end: the workers' own timers must close them meanwhile.
  await sleep(lastEnd + BOUND_MS - Date.now());
  const during = await Promise.all(listed.map(settlementOf));
  t.deepEqual(during.map((s) => s.status), listed.map(() => 'closed'), 'closed while Redis was down');
  t.is(sms.sent.filter((m) => listed.some((a) => m.message.includes(`"${a.title}"`))).length, 0, 'no SMS without Redis');

  await redis.start();
  // Closed before Redis was back, so the bound holds from the ends; the SMS follow the return.
  await assertEachSettledOnce(t, listed, 0);
});

test.serial('a sweep schedule lost on its own (Redis otherwise intact) is noticed by the workers, which sweep by themselves', async (t) => {
  const [auction] = (await auctionsEndingAt('스케줄', Date.now() + 3_000, 1)) as [Listed];
  // The schedule and its next run, and this auction's close job, vanish; the epoch key stays.
  const maintenance = app.deps.jobs.queues.maintenance;
  await maintenance.removeJobScheduler('sweep');
  // A sweep running just now may have queued its successor already: that goes too.
  await waitFor('no sweep running', async () => (await maintenance.getActiveCount()) === 0, 10_000);
  await maintenance.drain(true);
  t.deepEqual(await maintenance.getJobCounts('active', 'waiting', 'delayed', 'prioritized'), { active: 0, waiting: 0, delayed: 0, prioritized: 0 });
  t.is(await app.deps.jobs.queues.auctions.remove(jobIds.closeAuction(auction.auctionId, auction.endsAt)), 1);
  const lostAt = Date.now();

  // Bound: the last sweep's mark lasts two intervals and 5 s; then one check (1 s) and one sweep.
  const bound = 2 * SWEEP_S * 1000 + 5_000 + SWEEP_S * 1000 + 2_000;
  await waitFor('the auction to close', async () => (await settlementOf(auction)).status === 'closed', lostAt + bound + 3_000 - Date.now()).catch(() => undefined);
  const s = await settlementOf(auction);
  t.like(s, { status: 'closed', trades: 1, closed_events: 1 });
  t.true(s.closed_ms - Math.max(lostAt, auction.endsAt.getTime()) <= bound, `closed ${s.closed_ms - Math.max(lostAt, auction.endsAt.getTime())} ms after the loss or its end (bound ${bound} ms)`);
  t.true(workers.logs.some((l) => l.msg === 'sweeping in this worker instead of the schedule' && l.reason === 'no sweep ran for two intervals'), 'a worker swept by itself');
  t.log(`closed ${s.closed_ms - lostAt} ms after the schedule was lost, ${s.closed_ms - auction.endsAt.getTime()} ms after its end`);
  t.truthy(await maintenance.getJobScheduler('sweep'), 'and asserted the schedule again');
});
