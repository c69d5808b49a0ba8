import test from 'ava';
import type { AppDeps } from '../../api/context.ts';
import { auctionChannel, auctionTopic } from '../../infra/event-bus.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { createTestAuction, openAuction, placeBid } from '../support/listings.ts';
import { startPeerApi, type PeerApi } from '../support/peer-api.ts';
import { SseClient, eventually, sleep, type SseOptions } from '../support/sse-client.ts';

/**
 * Live prices across API instances: bids go through instance A, the watcher is connected to
 * instance B, and only Redis pub/sub (plus PostgreSQL for replay) connects the two.
 */
let app: TestApi;
let peer: PeerApi;
const clients = new Set<SseClient>();

test.before(async () => {
  app = await startTestApi('sse_peers', { SSE_HEARTBEAT_S: '1', SSE_MAX_STREAMS_PER_ADDRESS: '500' });
  peer = await startPeerApi(app);
});
test.after.always(async () => {
  await Promise.allSettled([...clients].map((c) => c.close()));
  await peer?.close();
  await app?.close();
});

const START_PRICE = 10_000;
const MISSING_ID = '01900000-0000-7000-8000-000000000000';

async function open(baseUrl: string, auctionId: string, options: SseOptions = {}): Promise<SseClient> {
  const client = await SseClient.open(`${baseUrl}/v1/auctions/${auctionId}/events`, options);
  clients.add(client);
  return client;
}

/** Two bidders outbidding each other at the minimum: every bid changes the leader, so every bid is an event. */
async function alternatingBids(auctionId: string, bidders: TestUser[], count: number): Promise<HttpResult[]> {
  const responses: HttpResult[] = [];
  let minimum = START_PRICE;
  for (let k = 1; k <= count; k++) {
    const res = await placeBid(app, bidders[k % 2]!, auctionId, minimum);
    responses.push(res);
    minimum = res.body.auction.minimumBid;
  }
  return responses;
}

/**
 * Makes an instance's Redis slow to confirm SUBSCRIBEs to one auction's channel, as a busy Redis
 * would be: the window between "subscribe" and "live" is where a careless stream loses events.
 * Counts the subscriptions it slowed, so the test knows the routes really went through it.
 */
function slowSubscriptions(deps: AppDeps, auctionId: string, ms: number): { slowed: number; confirmed: number } {
  const real = deps.eventHub;
  const counter = { slowed: 0, confirmed: 0 };
  deps.eventHub = {
    get connected() {
      return real.connected;
    },
    onDisconnect: (handler) => real.onDisconnect(handler),
    close: () => real.close(),
    async subscribe(topic, listener) {
      if (topic !== auctionTopic(auctionId)) return real.subscribe(topic, listener);
      counter.slowed++;
      await sleep(ms);
      const unsubscribe = await real.subscribe(topic, listener);
      counter.confirmed++;
      await sleep(ms);
      return unsubscribe;
    },
  };
  return counter;
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

test('a client on instance B receives every bid placed through instance A, in order, exactly once', async (t) => {
  const N = 30;
  const { auctionId, bidders } = await openAuction(app, { startPrice: START_PRICE, bidders: 2 });
  const watcher = await open(peer.baseUrl, auctionId);
  t.is(watcher.status, 200);
  const watchers: { client: SseClient; from: number }[] = [{ client: watcher, from: 1 }];
  const slow = slowSubscriptions(peer.deps, auctionId, 80);

  const responses: HttpResult[] = [];
  let minimum = START_PRICE;
  for (let k = 1; k <= N; k++) {
    // Another client connects to B while bid k commits on A, landing before, during or after its
    // (slow) subscription is confirmed: wherever it lands, the client must get bid k at once,
    // not when a later bid reveals the gap.
    const commitsAt = (k * 37) % 200;
    const [res, late] = await Promise.all([
      sleep(commitsAt).then(() => placeBid(app, bidders[k % 2]!, auctionId, minimum)),
      open(peer.baseUrl, auctionId, { lastEventId: String(k - 1) }),
    ]);
    t.is(late.status, 200);
    watchers.push({ client: late, from: k });
    responses.push(res);
    minimum = res.body.auction.minimumBid;
    // A publishes before it answers, so every watcher can see bid k now.
    await Promise.all(watchers.map(({ client }) => client.waitFor((c) => c.seqs.includes(k), 5_000, `event ${k}`)));
  }

  t.is(slow.slowed, N, 'every late client went through the slow subscription');
  for (const { client, from } of watchers) {
    t.deepEqual(client.seqs, range(from, N), `watcher from ${from}: every seq once, in order`);
    t.false(client.endedByServer);
  }
  t.true(watcher.events.every((e) => e.event === 'bid'));
  watcher.payloads.forEach((data, i) => {
    const auction = responses[i]!.body.auction;
    t.like(data, { auctionId, seq: i + 1, type: 'bid', currentPrice: auction.currentPrice, leaderId: auction.leaderId, bidCount: auction.bidCount, endsAt: auction.endsAt });
  });
  t.is(watcher.payloads.at(-1).leaderId, bidders[N % 2]!.id);
  t.is(watcher.payloads.at(-1).bidCount, N);
});

test('the stream is an uncompressed, unbuffered event stream that opens with a retry hint and keeps the line alive', async (t) => {
  const { auctionId } = await openAuction(app, { startPrice: START_PRICE, bidders: 2 });
  const client = await open(peer.baseUrl, auctionId, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  t.is(client.status, 200);
  t.regex(client.headers.get('content-type') ?? '', /^text\/event-stream/);
  t.regex(client.headers.get('cache-control') ?? '', /\bno-cache\b/);
  t.is(client.headers.get('x-accel-buffering'), 'no');
  t.is(client.headers.get('content-encoding'), null);
  t.is(client.headers.get('content-length'), null);

  await client.waitFor((c) => c.records.length > 0, 2_000, 'the first line');
  t.is(client.records[0]!.kind, 'retry', 'a retry: line comes first');
  // SSE_HEARTBEAT_S=1: a comment at least every second, on an auction where nothing happens.
  await client.waitFor((c) => c.comments.filter((x) => x === 'ping').length >= 2, 4_500, 'two heartbeats');
  const pings = client.records.filter((r) => r.kind === 'comment' && r.text === 'ping');
  t.true(pings[0]!.atMs - client.openedAtMs < 2_000, `first heartbeat after ${pings[0]!.atMs - client.openedAtMs} ms`);
  t.true(pings[1]!.atMs - pings[0]!.atMs < 2_000, `next heartbeat after ${pings[1]!.atMs - pings[0]!.atMs} ms`);
  t.deepEqual(client.events, []);
});

test('an unknown auction is 404 and a malformed Last-Event-ID is 400, as problem+json', async (t) => {
  const { auctionId } = await openAuction(app, { startPrice: START_PRICE, bidders: 2 });
  const unknown = await open(peer.baseUrl, MISSING_ID);
  t.is(unknown.status, 404);
  t.regex(unknown.headers.get('content-type') ?? '', /^application\/problem\+json/);
  t.is(unknown.problem.status, 404);

  for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
    for (const via of ['header', 'query'] as const) {
      const res = await open(app.baseUrl, auctionId, { lastEventId: bad, via });
      t.is(res.status, 400, `${via} ${bad}`);
      t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
  }
  const notUuid = await open(app.baseUrl, 'not-an-id');
  t.is(notUuid.status, 400);
});

test('without Last-Event-ID the stream starts with the latest event; with one, right after it', async (t) => {
  const { auctionId, bidders } = await openAuction(app, { startPrice: START_PRICE, bidders: 2 });
  const responses = await alternatingBids(auctionId, bidders, 5);

  const fresh = await open(peer.baseUrl, auctionId);
  await fresh.waitFor((c) => c.events.length >= 1, 3_000, 'the latest event');
  t.deepEqual(fresh.seqs, [5]);
  t.like(fresh.payloads[0], { currentPrice: responses[4]!.body.auction.currentPrice, leaderId: responses[4]!.body.auction.leaderId, bidCount: 5 });

  const resumed = await open(peer.baseUrl, auctionId, { lastEventId: '2' });
  const byQuery = await open(app.baseUrl, auctionId, { lastEventId: '3', via: 'query' });
  const upToDate = await open(app.baseUrl, auctionId, { lastEventId: '5' });
  await placeBid(app, bidders[0]!, auctionId, responses[4]!.body.auction.minimumBid);
  for (const [client, from] of [[fresh, 5], [resumed, 3], [byQuery, 4], [upToDate, 6]] as const) {
    await client.waitFor((c) => c.seqs.includes(6), 3_000, 'the next live event');
    t.deepEqual(client.seqs, range(from, 6));
  }
});

test('a client that leaves before its subscription is confirmed leaves no subscription behind', async (t) => {
  const { auctionId } = await openAuction(app, { startPrice: START_PRICE, bidders: 2 });
  const slow = slowSubscriptions(peer.deps, auctionId, 300);
  // Gives up while instance B still waits for Redis to confirm.
  await t.throwsAsync(SseClient.open(`${peer.baseUrl}/v1/auctions/${auctionId}/events`, { connectTimeoutMs: 150 }));
  await eventually(() => slow.confirmed, (n) => n === 1, 5_000, 'the subscription to be confirmed');
  const channel = auctionChannel(peer.deps.config.redisKeyPrefix, auctionId);
  await eventually(async () => (await peer.deps.redis.pubsub('NUMSUB', channel))[1], (n) => n === 0, 3_000, 'the orphan subscription to be dropped');
  t.is(slow.slowed, 1);
});

test('when the auction closes through instance A, its streams on instance B end after the closed event and are not resumed', async (t) => {
  const [seller, bidder, buyer] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: START_PRICE, buyNowPrice: 500_000, reservePrice: 400_000, endsAt: new Date(Date.now() + 3_600_000) });
  await placeBid(app, bidder, auctionId, START_PRICE);
  const watchers = [await open(peer.baseUrl, auctionId), await open(peer.baseUrl, auctionId, { lastEventId: '0' })];
  await Promise.all(watchers.map((w) => w.waitFor((c) => c.seqs.includes(1) && c.comments.includes('ping'), 3_000, 'event 1 and a heartbeat')));
  const channel = auctionChannel(peer.deps.config.redisKeyPrefix, auctionId);
  t.is((await peer.deps.redis.pubsub('NUMSUB', channel))[1], 1, 'B is subscribed');

  const bought = await app.request('POST', `/v1/auctions/${auctionId}/buy-now`, { token: buyer.accessToken });
  t.is(bought.status, 201);
  for (const watcher of watchers) {
    await watcher.waitForEnd(3_000);
    t.deepEqual(watcher.seqs, [1, 2]);
    t.like(watcher.payloads.at(-1), { type: 'closed', outcome: 'sold', leaderId: buyer.id });
    const closedAt = watcher.records.findIndex((r) => r.kind === 'event' && r.event.event === 'closed');
    const after = watcher.records.slice(closedAt + 1).map((r) => (r.kind === 'comment' ? r.text : r.kind));
    t.deepEqual(after, ['auction closed'], 'no heartbeat or retry hint after the closed event');
  }
  await eventually(async () => (await peer.deps.redis.pubsub('NUMSUB', channel))[1], (n) => n === 0, 3_000, 'B to unsubscribe');
  for (const baseUrl of [peer.baseUrl, app.baseUrl]) {
    const again = await watchers[0]!.reconnect(`${baseUrl}/v1/auctions/${auctionId}/events`);
    clients.add(again);
    t.is(again.status, 204, baseUrl === app.baseUrl ? 'on A' : 'on B');
  }
});
