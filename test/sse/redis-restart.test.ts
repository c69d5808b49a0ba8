import test from 'ava';
import { Redis } from 'ioredis';
import { auctionChannel } from '../../infra/event-bus.ts';
import { createLogger } from '../../infra/logger.ts';
import { closeInfrastructure, createInfrastructure } from '../../infra/infrastructure.ts';
import { startFollowUpRelay } from '../../workers/follow-up-relay.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { createTestAuction } from '../support/listings.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.ts';
import { SseClient, SseFollower, eventually } from '../support/sse-client.ts';

/**
 * Redis is a cache and a bus, PostgreSQL the truth: while Redis is down bids still commit, event
 * streams replay from PostgreSQL and ask clients to come back, and once Redis is back the outbox
 * relay publishes what nobody could. A private redis-server is stopped and started for real, so
 * these tests run one after another.
 */
let redis: PrivateRedis;
let app: TestApi;
const cleanups: (() => Promise<unknown>)[] = [];

test.before(async () => {
  redis = await startPrivateRedis();
  app = await startTestApi('sse_redis', { REDIS_URL: redis.url, BID_RATE_LIMIT_PER_MIN: '100000' });
});
test.after.always(async () => {
  await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
  await app?.close();
  await redis?.dispose();
});

const START_PRICE = 10_000;
const eventsUrl = (auctionId: string) => `${app.baseUrl}/v1/auctions/${auctionId}/events`;

function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An auction two bidders take turns to lead, so every accepted bid is an event. */
async function biddingWar() {
  const [seller, a, b] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const { auctionId } = await createTestAuction(app, seller!.id, { startPrice: START_PRICE, endsAt: new Date(Date.now() + 3_600_000) });
  let minimum = START_PRICE;
  let turn = 0;
  const responses: HttpResult[] = [];
  return {
    auctionId,
    responses,
    /** Places `count` bids, each answered within 5 s, and returns their statuses. */
    async bid(count: number): Promise<number[]> {
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) {
        const bidder: TestUser = turn++ % 2 ? b! : a!;
        const res = await within(5_000, app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount: minimum } }), 'bid');
        statuses.push(res.status);
        if (res.status === 201) {
          responses.push(res);
          minimum = res.body.auction.minimumBid;
        }
      }
      return statuses;
    },
  };
}

const unpublished = async (auctionId: string) =>
  (await app.db.orm.em.fork().execute<{ seq: string }[]>('select seq from auction_events where auction_id = ? and published_at is null order by seq', [auctionId])).map((r) => Number(r.seq));

const latestSeq = async (auctionId: string) =>
  Number((await app.db.orm.em.fork().execute<{ seq: string | null }[]>('select max(seq) as seq from auction_events where auction_id = ?', [auctionId]))[0]?.seq ?? 0);

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

async function restartRedis() {
  await redis.start();
  await eventually(() => app.deps.eventHub.connected && app.deps.redis.status === 'ready', Boolean, 10_000, 'the app to reconnect to Redis');
}

// A test that failed mid-outage must not leave the next one without Redis.
test.beforeEach(async () => {
  if (!redis.running) await restartRedis();
});

test.serial('bids go on through a Redis outage and a reconnecting client ends with every event exactly once', async (t) => {
  const war = await biddingWar();
  const watcher = await SseClient.open(eventsUrl(war.auctionId));
  cleanups.push(() => watcher.close());
  t.is(watcher.status, 200);
  const channel = auctionChannel(app.deps.config.redisKeyPrefix, war.auctionId);

  // Bidding goes on, one bid after another, before, during and after the outage.
  const statuses: number[] = [];
  let bidding = true;
  const bids = (async () => {
    while (bidding) statuses.push(...(await war.bid(1).catch(() => [-1])));
  })();
  cleanups.push(async () => {
    bidding = false;
    await bids;
  });
  const moreBids = (count: number, what: string) => {
    const target = statuses.length + count;
    return eventually(() => statuses.length, (n) => n >= target, 15_000, what);
  };
  await watcher.waitFor((c) => c.seqs.length >= 5, 5_000, 'five live events');

  await redis.stop();
  // The subscriber lost Redis: the stream ends, and its last words tell the client to come back.
  await watcher.waitForEnd(5_000);
  t.is(watcher.records.at(-1)?.kind, 'retry', 'the stream ends with a retry hint');
  t.true(watcher.comments.includes('live updates interrupted'));

  // The client reconnects over and over, as EventSource would, while Redis is down and after.
  const follower = new SseFollower(eventsUrl(war.auctionId), watcher.lastEventId);
  cleanups.push(() => follower.stop());
  await moreBids(5, 'bids while Redis is down');
  const committed = await latestSeq(war.auctionId);
  t.true((await unpublished(war.auctionId)).length >= 5, 'their events wait in the outbox');
  // Streams cannot be live without Redis, but each reconnect replays from PostgreSQL and ends.
  await follower.waitFor((f) => f.seqs.includes(committed), 10_000, `event ${committed}, replayed from PostgreSQL during the outage`);
  t.false(redis.running);
  const replayOnly = follower.connections.filter((c) => c.endedByServer && c.comments.includes('live updates unavailable'));
  t.true(replayOnly.some((c) => c.seqs.includes(committed)), 'a replay-only stream delivered it');
  t.is(replayOnly.at(-1)?.records.at(-1)?.kind, 'retry', 'and ended with a retry hint');

  await restartRedis();
  // The follower's next stream is live again: this instance subscribes to the auction's channel.
  await eventually(async () => (await app.deps.redis.pubsub('NUMSUB', channel))[1], (n) => n === 1, 10_000, 'a live subscription again');
  await moreBids(5, 'bids after the outage');
  bidding = false;
  await bids;

  t.true(statuses.every((status) => status === 201), `every bid accepted: ${JSON.stringify(statuses)}`);
  const N = war.responses.length;
  await follower.waitFor((f) => f.seqs.includes(N), 10_000, `event ${N}`);
  await follower.stop();
  t.false(follower.connections.at(-1)!.endedByServer, 'the last stream was live');
  // Nothing from before the outage lingers: with every client gone, so is the subscription.
  await eventually(async () => (await app.deps.redis.pubsub('NUMSUB', channel))[1], (n) => n === 0, 5_000, 'the channel to be unsubscribed');

  t.deepEqual([...watcher.seqs, ...follower.seqs], range(1, N), 'every event once, in order, over all connections');
  const payloads = [...watcher.payloads, ...follower.payloads];
  payloads.forEach((data, i) => {
    const auction = war.responses[i]!.body.auction;
    t.like(data, { seq: i + 1, currentPrice: auction.currentPrice, leaderId: auction.leaderId, bidCount: auction.bidCount, endsAt: auction.endsAt });
  });
  t.log(`${N} bids; ${follower.connections.length} reconnections, ${follower.failedAttempts} refused`);
});

test.serial('an event whose publish failed during the outage is published by the follow-up relay and marked', async (t) => {
  const war = await biddingWar();
  t.deepEqual(await war.bid(2), [201, 201]);
  t.deepEqual(await unpublished(war.auctionId), [], 'published at once while Redis is up');

  await redis.stop();
  t.deepEqual(await war.bid(2), [201, 201]);
  t.deepEqual(await unpublished(war.auctionId), [3, 4], 'the immediate publish failed, so the events stay unpublished');
  await restartRedis();

  // What goes over the bus from now on, seen from outside the app.
  const listener = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  cleanups.push(async () => listener.disconnect());
  const heard: number[] = [];
  listener.on('message', (_channel: string, message: string) => heard.push(JSON.parse(message).seq));
  await listener.subscribe(auctionChannel(app.deps.config.redisKeyPrefix, war.auctionId));
  // A live client that already has everything up to 4: the relayed 3 and 4 reach it late and
  // must not be shown twice; the next bid must.
  const live = await SseClient.open(eventsUrl(war.auctionId), { lastEventId: '4' });
  cleanups.push(() => live.close());
  t.is(live.status, 200);

  const worker = await createInfrastructure(app.deps.config, { logger: createLogger('silent'), orm: app.db.orm });
  const relay = startFollowUpRelay(worker, { intervalMs: 100, graceMs: 0 });
  cleanups.push(async () => {
    await relay.stop();
    await closeInfrastructure(worker, { keepOrm: true });
  });
  await eventually(() => unpublished(war.auctionId), (seqs) => seqs.length === 0, 10_000, 'the relay to mark the events published');
  await eventually(() => heard, (seqs) => seqs.length >= 2, 5_000, 'the relayed events on the bus');
  t.deepEqual(heard, [3, 4], 'only the stranded events were relayed, in order');

  // Redis delivers in order, so by the time bid 5 arrives the relayed 3 and 4 went by.
  t.deepEqual(await war.bid(1), [201]);
  await live.waitFor((c) => c.seqs.includes(5), 5_000, 'the next live event');
  t.deepEqual(live.seqs, [5], 'the relayed events it had were not repeated');
  await eventually(() => heard, (seqs) => seqs.length >= 3, 5_000, 'the next event on the bus');
  t.deepEqual(heard, [3, 4, 5], 'the relay publishes nothing twice');
});
