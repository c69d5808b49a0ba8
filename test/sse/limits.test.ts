import test from 'ava';
import { auctionChannel } from '../../infra/event-bus.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { createTestAuction, openAuction } from '../support/listings.ts';
import { SseClient, eventually, type SseOptions } from '../support/sse-client.ts';

/**
 * What keeps event streams cheap: a cap on streams per client address, one Redis subscription per
 * auction however many local clients watch it, and a shutdown that hands every client back with
 * a reconnect hint. The cap is per address and every request comes from 127.0.0.1, so the tests
 * on `app` run one after another.
 */
const CAP = 3;
let app: TestApi;
let closing: TestApi;
const clients = new Set<SseClient>();

test.before(async () => {
  [app, closing] = await Promise.all([
    startTestApi('sse_limits', { SSE_MAX_STREAMS_PER_ADDRESS: String(CAP) }),
    startTestApi('sse_shutdown', { SHUTDOWN_DRAIN_MS: '500' }),
  ]);
});
test.after.always(async () => {
  await Promise.allSettled([...clients].map((c) => c.close()));
  await Promise.allSettled([app?.close(), closing?.close()]);
});

async function open(on: TestApi, auctionId: string, options: SseOptions = {}): Promise<SseClient> {
  const client = await SseClient.open(`${on.baseUrl}/v1/auctions/${auctionId}/events`, options);
  clients.add(client);
  return client;
}

/** Closes clients and waits until the server has let go of every stream (and so of its slot). */
async function closeAll(on: TestApi, ...streams: SseClient[]) {
  await Promise.all(streams.map((c) => c.close()));
  await eventually(() => on.deps.streams.size, (n) => n === 0, 5_000, 'the server to release every stream');
}

const subscribers = async (on: TestApi, auctionId: string) => {
  const [, count] = (await on.deps.redis.pubsub('NUMSUB', auctionChannel(on.deps.config.redisKeyPrefix, auctionId))) as [string, number];
  return Number(count);
};

test.serial('an address gets at most SSE_MAX_STREAMS_PER_ADDRESS streams; the next is 429 until one closes', async (t) => {
  const [{ auctionId }, other] = await Promise.all([openAuction(app, { bidders: 1 }), openAuction(app, { bidders: 1 })]);
  const open3 = await Promise.all(Array.from({ length: CAP }, () => open(app, auctionId)));
  t.deepEqual(open3.map((c) => c.status), [200, 200, 200]);

  for (const target of [auctionId, other.auctionId]) {
    const refused = await open(app, target);
    t.is(refused.status, 429, 'the cap counts streams of every auction');
    t.regex(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
    t.regex(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    t.like(refused.problem, { type: 'https://gavel.dev/problems/too-many-streams', status: 429 });
  }

  await open3[0]!.close();
  // The slot is released once the server notices the client left.
  const again = await eventually(
    async () => {
      const client = await open(app, other.auctionId);
      if (client.status !== 200) await client.close();
      return client;
    },
    (client) => client.status === 200,
    5_000,
    'a stream after one closed',
  );
  t.is(again.status, 200);
  t.is((await open(app, auctionId)).status, 429, 'still at the cap');
  await closeAll(app, open3[1]!, open3[2]!, again);
  const fresh = await Promise.all(Array.from({ length: CAP }, () => open(app, auctionId)));
  t.deepEqual(fresh.map((c) => c.status), [200, 200, 200], 'closed streams give their slots back');
  await closeAll(app, ...fresh);
});

test.serial('local clients of an auction share one Redis subscription, dropped when the last one leaves', async (t) => {
  const [x, y] = await Promise.all([openAuction(app, { bidders: 1 }), openAuction(app, { bidders: 1 })]);
  t.is(await subscribers(app, x.auctionId), 0);

  const [a, b] = await Promise.all([open(app, x.auctionId), open(app, x.auctionId)]);
  const c = await open(app, y.auctionId);
  t.deepEqual([a.status, b.status, c.status], [200, 200, 200]);
  // A stream answers once its subscription is confirmed, so the counts are already right.
  t.is(await subscribers(app, x.auctionId), 1, 'two clients, one subscription');
  t.is(await subscribers(app, y.auctionId), 1);

  await a.close();
  await eventually(() => app.deps.streams.size, (n) => n === 2, 5_000, 'the server to notice a left');
  t.is(await subscribers(app, x.auctionId), 1, 'b still watches x');
  // And b still gets x's events over the shared subscription.
  const bid = await app.request('POST', `/v1/auctions/${x.auctionId}/bids`, { token: x.bidders[0]!.accessToken, body: { amount: 10_000 } });
  t.is(bid.status, 201);
  await b.waitFor((client) => client.seqs.includes(1), 5_000, 'the bid on x');
  t.deepEqual(b.seqs, [1]);
  t.deepEqual(a.seqs, []);

  await b.close();
  await eventually(() => subscribers(app, x.auctionId), (n) => n === 0, 5_000, 'x to be unsubscribed');
  t.is(await subscribers(app, y.auctionId), 1, 'y is untouched');
  await closeAll(app, c);
  await eventually(() => subscribers(app, y.auctionId), (n) => n === 0, 5_000, 'y to be unsubscribed');
});

test('shutdown ends every open stream with a retry hint and refuses new ones', async (t) => {
  const { auctionId } = await openAuction(closing, { bidders: 1 });
  const [seller, buyer] = await Promise.all([closing.signup(), closing.signup()]);
  const bought = await createTestAuction(closing, seller.id, { startPrice: 10_000, buyNowPrice: 20_000, endsAt: new Date(Date.now() + 3_600_000) });
  t.is((await closing.request('POST', `/v1/auctions/${bought.auctionId}/buy-now`, { token: buyer.accessToken })).status, 201);
  const watchers = await Promise.all([open(closing, auctionId), open(closing, auctionId, { lastEventId: '0' })]);
  t.deepEqual(watchers.map((c) => c.status), [200, 200]);
  await Promise.all(watchers.map((w) => w.waitFor((c) => c.comments.includes('connected'), 2_000, 'the stream to open')));

  const started = Date.now();
  const shutdown = closing.api.close(10_000);
  // While the instance drains, a new stream is sent elsewhere.
  const late = await open(closing, auctionId);
  t.is(late.status, 503);
  // A client that has the closed event is told it is done, not to try elsewhere.
  t.is((await open(closing, bought.auctionId, { lastEventId: '1' })).status, 204);
  await Promise.all(watchers.map((w) => w.waitForEnd(5_000)));
  for (const watcher of watchers) {
    t.is(watcher.records.at(-1)?.kind, 'retry', 'the last thing a client hears is when to reconnect');
    t.true(watcher.comments.includes('server shutting down'));
  }
  await shutdown;
  t.true(Date.now() - started < 5_000, `open streams do not hold the shutdown for the grace time (${Date.now() - started} ms)`);
  t.is(closing.deps.streams.size, 0);
});
