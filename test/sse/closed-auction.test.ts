import test from 'ava';
import { auctionChannel } from '../../infra/event-bus.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { createTestAuction } from '../support/auctions.ts';
import { SseClient, SseFollower, eventually, sleep, type SseOptions } from '../support/sse-client.ts';

/**
 * Nothing follows an auction's `closed` event, so its stream ends right after it: live, after a
 * replay, or at once with 204 for a client that already has it (which is what stops EventSource
 * from reconnecting forever). Heartbeats every second, so a stream left open shows at once. The
 * tests count the server's open streams, so they run one after another.
 */
let app: TestApi;
const clients = new Set<SseClient>();

test.before(async () => {
  app = await startTestApi('sse_closed', { SSE_HEARTBEAT_S: '1', SSE_MAX_STREAMS_PER_ADDRESS: '200' });
});
test.after.always(async () => {
  await Promise.allSettled([...clients].map((c) => c.close()));
  await app?.close();
});

const START_PRICE = 10_000;
const BUY_NOW_PRICE = 500_000;
const eventsUrl = (auctionId: string) => `${app.baseUrl}/v1/auctions/${auctionId}/events`;

async function open(auctionId: string, options: SseOptions = {}): Promise<SseClient> {
  const client = await SseClient.open(eventsUrl(auctionId), options);
  clients.add(client);
  return client;
}

/** An auction with two bids (events 1 and 2) below its reserve, so buy-now is still offered. */
async function auctionWithBids() {
  const [seller, a, b, buyer] = await Promise.all([app.signup(), app.signup(), app.signup(), app.signup()]);
  const { auctionId } = await createTestAuction(app, seller.id, {
    startPrice: START_PRICE,
    reservePrice: 400_000,
    buyNowPrice: BUY_NOW_PRICE,
    endsAt: new Date(Date.now() + 3_600_000),
  });
  let minimum = START_PRICE;
  for (const bidder of [a, b]) {
    const res = await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount: minimum } });
    if (res.status !== 201) throw new Error(`bid failed: ${res.status} ${JSON.stringify(res.body)}`);
    minimum = res.body.auction.minimumBid;
  }
  return { auctionId, buyer };
}

async function buyNow(buyer: TestUser, auctionId: string): Promise<HttpResult> {
  const res = await app.request('POST', `/v1/auctions/${auctionId}/buy-now`, { token: buyer.accessToken });
  if (res.status !== 201) throw new Error(`buy-now failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

async function closedAuction() {
  const { auctionId, buyer } = await auctionWithBids();
  await buyNow(buyer, auctionId);
  return auctionId;
}

/** What the client heard after the closed event: a stream that kept going would show pings here. */
function afterClosed(client: SseClient) {
  const at = client.records.findIndex((r) => r.kind === 'event' && r.event.event === 'closed');
  if (at < 0) throw new Error(`no closed event; got ${JSON.stringify(client.seqs)}`);
  return client.records.slice(at + 1);
}

const pings = (records: SseClient['records']) => records.filter((r) => r.kind === 'comment' && r.text === 'ping');

const subscribers = async (auctionId: string) =>
  Number(((await app.deps.redis.pubsub('NUMSUB', auctionChannel(app.deps.config.redisKeyPrefix, auctionId))) as [string, number])[1]);

test.serial('a live stream ends right after the closed event: no more heartbeats, no subscription left', async (t) => {
  const { auctionId, buyer } = await auctionWithBids();
  const watcher = await open(auctionId);
  t.is(watcher.status, 200);
  await watcher.waitFor((c) => pings(c.records).length >= 1 && c.seqs.includes(2), 5_000, 'the latest event and a heartbeat');
  t.is(await subscribers(auctionId), 1);

  const bought = await buyNow(buyer, auctionId);
  await watcher.waitForEnd(3_000);
  t.deepEqual(watcher.seqs, [2, 3]);
  t.like(watcher.payloads.at(-1), { seq: 3, type: 'closed', status: 'closed', outcome: 'sold', currentPrice: BUY_NOW_PRICE, leaderId: bought.body.auction.leaderId });
  t.deepEqual(pings(afterClosed(watcher)), [], 'nothing but the end after the closed event');
  t.false(afterClosed(watcher).some((r) => r.kind === 'event'));
  await eventually(() => app.deps.streams.size, (n) => n === 0, 3_000, 'the server to let go of the stream');
  await eventually(() => subscribers(auctionId), (n) => n === 0, 3_000, 'the channel to be unsubscribed');
});

test.serial('a reconnect from before the close replays the missed events, the closed one last, then ends at once', async (t) => {
  const auctionId = await closedAuction();
  for (const [options, expected] of [
    [{ lastEventId: '1' }, [2, 3]],
    [{ lastEventId: '0', via: 'query' }, [1, 2, 3]],
    [{ lastEventId: '2' }, [3]],
  ] as const) {
    const client = await open(auctionId, options);
    t.is(client.status, 200);
    await client.waitForEnd(3_000);
    t.deepEqual(client.seqs, [...expected], JSON.stringify(options));
    t.is(client.events.at(-1)?.event, 'closed');
    t.deepEqual(pings(afterClosed(client)), []);
  }
  await eventually(() => app.deps.streams.size, (n) => n === 0, 3_000, 'the server to let go of every stream');
  t.is(await subscribers(auctionId), 0);
});

test.serial('a fresh connection to a closed auction gets the closed event (its final state), then the end', async (t) => {
  const auctionId = await closedAuction();
  const client = await open(auctionId);
  t.is(client.status, 200);
  await client.waitForEnd(3_000);
  t.deepEqual(client.seqs, [3]);
  t.like(client.payloads[0], { type: 'closed', status: 'closed', outcome: 'sold', currentPrice: BUY_NOW_PRICE });
});

test.serial('a reconnect at or past the closed event is answered 204 No Content at once, without taking a stream slot', async (t) => {
  const auctionId = await closedAuction();
  for (const options of [{ lastEventId: '3' }, { lastEventId: '3', via: 'query' }, { lastEventId: '99' }] as const) {
    const started = Date.now();
    const client = await open(auctionId, options);
    t.is(client.status, 204, JSON.stringify(options));
    t.is(client.problem, '', 'no body');
    t.true(Date.now() - started < 2_000, `answered after ${Date.now() - started} ms`);
  }
  t.is(app.deps.streams.size, 0);
  t.is(await subscribers(auctionId), 0);
});

test.serial('clients that connect while the auction closes each get the closed event once and the end', async (t) => {
  const { auctionId, buyer } = await auctionWithBids();
  // Connections land before, during and after the close commits and is published.
  const [, ...watchers] = await Promise.all([
    sleep(60).then(() => buyNow(buyer, auctionId)),
    ...Array.from({ length: 12 }, (_, i) => sleep(i * 10).then(() => open(auctionId, { lastEventId: String(i % 3) }))),
  ]);
  for (const [i, watcher] of watchers.entries()) {
    t.is(watcher.status, 200);
    await watcher.waitForEnd(3_000);
    const from = (i % 3) + 1;
    t.deepEqual(watcher.seqs, [1, 2, 3].slice(from - 1), `watcher ${i} from ${from}`);
    t.is(watcher.events.at(-1)?.event, 'closed');
  }
  await eventually(() => app.deps.streams.size, (n) => n === 0, 3_000, 'the server to let go of every stream');
  await eventually(() => subscribers(auctionId), (n) => n === 0, 3_000, 'the channel to be unsubscribed');
});

test.serial('a client that reconnects as EventSource does follows the auction to its close, then stops', async (t) => {
  const { auctionId, buyer } = await auctionWithBids();
  const follower = new SseFollower(eventsUrl(auctionId), undefined);
  t.teardown(() => follower.stop());
  await follower.waitFor((f) => f.seqs.includes(2), 5_000, 'the latest event');
  await buyNow(buyer, auctionId);
  await follower.waitFor((f) => f.toldDone, 5_000, 'a 204 on the reconnect after the close');
  // Several retry intervals later, nothing has been tried again.
  await sleep(1_000);
  t.is(follower.connections.length, 1, 'one stream, then only the 204');
  t.is(follower.failedAttempts, 0);
  t.deepEqual(follower.seqs, [2, 3]);
  t.is(follower.payloads.at(-1).type, 'closed');
});
