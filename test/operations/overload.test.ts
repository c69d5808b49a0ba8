import test from 'ava';
import pg from 'pg';
import { startTestApi, type HttpResult, type TestApi } from '../support/api.ts';
import { createTestAuction, openAuction } from '../support/listings.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * Overload, made exact: a test transaction holds an auction's row lock, so every bid on it holds
 * whatever it took (a pool connection, an admission slot) for as long as the test likes. Requests
 * beyond the bounds must be refused with 503 and `Retry-After` at once, while the probes (on a
 * connection of their own) keep telling the truth: PostgreSQL is up.
 */
const PROBLEMS = 'https://gavel.dev/problems/';
const apps: TestApi[] = [];
const clients: SseClient[] = [];
test.after.always(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(apps.map((a) => a.close()));
});

/** Holds `auctionId`'s row lock in a transaction of the test's own until `release()`. */
async function lockAuction(app: TestApi, auctionId: string) {
  const client = new pg.Client({ connectionString: app.db.url });
  await client.connect();
  await client.query('begin');
  await client.query('select 1 from auctions where id = $1 for update', [auctionId]);
  return {
    async release() {
      await client.query('commit');
      await client.end();
    },
  };
}

async function timed<T>(request: Promise<HttpResult<T>>): Promise<HttpResult<T> & { ms: number }> {
  const started = Date.now();
  const res = await request;
  return { ...res, ms: Date.now() - started };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a saturated pool answers 503 with Retry-After at once, and /health/ready stays 200', async (t) => {
  const app = await startTestApi(
    'overload_pool',
    // The default acquire timeout: on a busy machine even opening a connection can take a while.
    { DATABASE_POOL_MAX: '2', DATABASE_ACQUIRE_TIMEOUT_MS: '1000', API_MAX_IN_FLIGHT: '0', BID_RATE_LIMIT_PER_MIN: '100000' },
    { ownPool: true },
  );
  apps.push(app);
  const { bidders, auctionId } = await openAuction(app, { bidders: 2 });
  const lock = await lockAuction(app, auctionId);
  // Two bids take both pooled connections and wait on the row lock.
  const held = bidders.map((bidder, i) => app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount: 10_000 + i * 1000 } }));
  await sleep(500);

  const [listings, auction, ready, live] = await Promise.all([
    timed(app.request('GET', '/v1/listings?limit=5')),
    timed(app.request('GET', `/v1/auctions/${auctionId}`)),
    timed(app.request('GET', '/health/ready')),
    timed(app.request('GET', '/health/live')),
  ]);
  for (const res of [listings, auction]) {
    t.is(res.status, 503, JSON.stringify(res.body));
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    t.like(res.body, { type: `${PROBLEMS}database-busy`, status: 503 });
    t.is(res.headers.get('retry-after'), '1');
    // The acquire timeout (1 s), not the request deadline (15 s).
    t.true(res.ms >= 900 && res.ms < 3000, `answered in ${res.ms} ms`);
  }
  t.is(ready.status, 200, `ready while the pool is saturated: ${JSON.stringify(ready.body)}`);
  t.like(ready.body, { checks: { database: 'ok', redis: 'ok' } });
  t.true(ready.ms < 1000, `ready answered in ${ready.ms} ms`);
  t.is(live.status, 200);

  await lock.release();
  // Both got their connections and were decided (the second may be outbid by the first: 422).
  const bids = await Promise.all(held);
  t.true(bids.every((b) => b.status === 201 || b.status === 422), JSON.stringify(bids.map((b) => b.body)));
  t.true(bids.some((b) => b.status === 201));
  t.is((await app.request('GET', '/v1/listings?limit=5')).status, 200, 'served again once the pool is free');
});

test('beyond the in-flight bound and its queue, requests get 503 overloaded at once; probes, metrics and open streams are not held to it', async (t) => {
  const app = await startTestApi('overload_admission', {
    API_MAX_IN_FLIGHT: '2',
    API_MAX_QUEUED: '2',
    API_QUEUE_TIMEOUT_MS: '400',
    BID_RATE_LIMIT_PER_MIN: '100000',
  });
  apps.push(app);
  // Set up one request at a time: the bound is tiny.
  const seller = await app.signup();
  const bidders = [await app.signup(), await app.signup(), await app.signup(), await app.signup()];
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) });
  const { auctionId: watched } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) });

  // More open event streams than slots: a stream holds a slot only while it opens.
  for (let i = 0; i < 3; i++) {
    const stream = await SseClient.open(`${app.baseUrl}/v1/auctions/${watched}/events`);
    clients.push(stream);
    t.is(stream.status, 200);
  }
  t.is((await app.request('GET', `/v1/auctions/${auctionId}`)).status, 200, 'open streams leave the slots free');

  const lock = await lockAuction(app, auctionId);
  const bid = (i: number) => timed(app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidders[i]!.accessToken, body: { amount: 10_000 + i * 1000 } }));
  // Two are served (waiting on the lock), two wait for a slot.
  const served = [bid(0), bid(1)];
  await sleep(200);
  const queued = [bid(2), bid(3)];
  await sleep(100);

  const refused = await Promise.all(Array.from({ length: 4 }, () => timed(app.request('GET', '/v1/listings?limit=5'))));
  for (const res of refused) {
    t.is(res.status, 503, JSON.stringify(res.body));
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    t.like(res.body, { type: `${PROBLEMS}overloaded`, status: 503 });
    t.is(res.headers.get('retry-after'), '1');
    // At once: well before the queue timeout (400 ms), however busy the shared machine is.
    t.true(res.ms < 300, `refused in ${res.ms} ms`);
  }
  const [ready, live, metrics] = await Promise.all([
    timed(app.request('GET', '/health/ready')),
    app.request('GET', '/health/live'),
    app.request('GET', '/metrics'),
  ]);
  t.is(ready.status, 200, JSON.stringify(ready.body));
  t.true(ready.ms < 1000);
  t.is(live.status, 200);
  t.is(metrics.status, 200);
  t.regex(metrics.body as string, /gavel_http_shed_total\{reason="queue-full"[^}]*\} 4/);
  t.regex(metrics.body as string, /gavel_http_in_flight\{[^}]*\} 2/);
  // A user's own stream still opens while the bound is full: EventSource would give up for good on a 503.
  const ownStream = await SseClient.open(`${app.baseUrl}/v1/me/events`, { headers: { authorization: `Bearer ${seller.accessToken}` } });
  clients.push(ownStream);
  t.is(ownStream.status, 200, JSON.stringify(ownStream.problem));

  // The queued ones waited their time, then were refused too.
  for (const res of await Promise.all(queued)) {
    t.is(res.status, 503);
    t.like(res.body, { type: `${PROBLEMS}overloaded` });
    t.true(res.ms >= 350 && res.ms < 1000, `queued for ${res.ms} ms`);
  }
  await lock.release();
  const decided = await Promise.all(served);
  t.true(decided.every((b) => b.status === 201 || b.status === 422), JSON.stringify(decided.map((b) => b.body)));
  t.is((await app.request('GET', '/v1/listings?limit=5')).status, 200, 'served again once the load is gone');
});

test('a slot that comes free goes to the request waiting for it', async (t) => {
  const app = await startTestApi('overload_queue', { API_MAX_IN_FLIGHT: '1', API_MAX_QUEUED: '5', API_QUEUE_TIMEOUT_MS: '5000', BID_RATE_LIMIT_PER_MIN: '100000' });
  apps.push(app);
  const { bidders, auctionId } = await openAuction(app, { bidders: 1 });
  const lock = await lockAuction(app, auctionId);
  const first = app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidders[0]!.accessToken, body: { amount: 10_000 } });
  await sleep(200);
  const waiting = timed(app.request('GET', `/v1/auctions/${auctionId}`));
  await sleep(300);
  await lock.release();
  t.is((await first).status, 201);
  const res = await waiting;
  t.is(res.status, 200, 'admitted once the slot was free, not refused');
  t.true(res.ms >= 250, `waited ${res.ms} ms for the slot`);
});
