import test from 'ava';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { openAuction } from '../support/listings.ts';
import { SseClient, eventually, sleep, type SseOptions } from '../support/sse-client.ts';

/**
 * Reconnecting with Last-Event-ID while bids pour in: whatever moment a client drops and comes
 * back, the events it saw over all its connections are every seq 1..N exactly once, in order.
 */
let app: TestApi;
const clients = new Set<SseClient>();

test.before(async () => {
  app = await startTestApi('sse_reconnect', { BID_RATE_LIMIT_PER_MIN: '1000000', DATABASE_POOL_MAX: '20', SSE_MAX_STREAMS_PER_ADDRESS: '200' });
});
test.after.always(async () => {
  await Promise.allSettled([...clients].map((c) => c.close()));
  await app?.close();
});

const START_PRICE = 10_000;
const eventsUrl = (auctionId: string) => `${app.baseUrl}/v1/auctions/${auctionId}/events`;

async function open(auctionId: string, options: SseOptions = {}): Promise<SseClient> {
  const client = await SseClient.open(eventsUrl(auctionId), options);
  clients.add(client);
  if (client.status !== 200) throw new Error(`stream refused: ${client.status} ${JSON.stringify(client.problem)}`);
  return client;
}

async function reconnect(previous: SseClient, auctionId: string, via: 'header' | 'query'): Promise<SseClient> {
  await previous.close();
  return open(auctionId, previous.lastEventId === undefined ? {} : { lastEventId: previous.lastEventId, via });
}

const bid = (bidder: TestUser, auctionId: string, amount: number): Promise<HttpResult> =>
  app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount } });

const latestSeq = async (auctionId: string) =>
  Number((await app.db.orm.em.fork().execute<{ seq: string | null }[]>('select max(seq) as seq from auction_events where auction_id = ?', [auctionId]))[0]?.seq ?? 0);

/**
 * Makes every fifth publish of an auction's events late, as a pause between commit and publish
 * would: later events then reach Redis first, and only the stream's gap fill keeps them in order.
 */
function latePublishes(auctionId: string, delayMs: number): { late: number } {
  const followUps = app.deps.followUps;
  const real = followUps.dispatch.bind(followUps);
  const counter = { late: 0 };
  followUps.dispatch = async (committed) => {
    if (committed.events.some((event) => event.auctionId === auctionId && event.seq % 5 === 2)) {
      counter.late++;
      await sleep(delayMs);
    }
    await real(committed);
  };
  return counter;
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/**
 * Concurrent bidders each bid just above the minimum they last saw until `target` bids have
 * changed the price: publishes race each other, so live events reach Redis out of order.
 */
async function burst(auctionId: string, bidders: TestUser[], target: number): Promise<{ accepted: number; statuses: Record<number, number> }> {
  let accepted = 0;
  const statuses: Record<number, number> = {};
  let seed = 12_345;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  await Promise.all(
    bidders.map(async (bidder) => {
      let minimum = START_PRICE;
      while (accepted < target) {
        const res = await bid(bidder, auctionId, minimum + Math.floor(random() * 3) * 500);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 201 && res.body.bid.kind === 'bid') accepted++;
        const auction = res.status === 201 ? res.body.auction : res.body;
        minimum = Math.max(minimum, auction.minimumBid ?? minimum);
      }
    }),
  );
  return { accepted, statuses };
}

test('clients that drop and reconnect mid-burst (by header and by query) end with every event exactly once, in order', async (t) => {
  const TARGET = 200;
  const { auctionId, bidders } = await openAuction(app, { startPrice: START_PRICE, bidders: 6 });
  const late = latePublishes(auctionId, 40);
  const first = await open(auctionId);
  // Flaky clients that drop every 20 events, alternating how they send their last id.
  const flaky = await Promise.all(Array.from({ length: 4 }, () => open(auctionId)));
  const flakyHistories: SseClient[][] = flaky.map((c) => [c]);
  let bursting = true;
  const flakyRuns = flakyHistories.map(async (history, i) => {
    for (let round = 0; bursting; round++) {
      const current = history.at(-1)!;
      try {
        await current.waitFor((c) => c.events.length >= 20 + i * 3 || !bursting, 20_000, 'events before dropping');
      } catch {
        return;
      }
      if (!bursting) return;
      history.push(await reconnect(current, auctionId, round % 2 ? 'query' : 'header'));
    }
  });

  const storm = burst(auctionId, bidders, TARGET);

  await first.waitFor((c) => c.events.length >= 30, 20_000, '30 events');
  const droppedAt = Number(first.lastEventId);
  await first.close();
  // Events go by while the client is away.
  await eventually(() => latestSeq(auctionId), (seq) => seq >= droppedAt + 25, 20_000, 'bids while the client is away');
  const second = await reconnect(first, auctionId, 'header');
  await second.waitFor((c) => c.events.length >= 30, 20_000, '30 more events');
  const droppedAgainAt = Number(second.lastEventId);
  await second.close();
  await eventually(() => latestSeq(auctionId), (seq) => seq >= droppedAgainAt + 25, 20_000, 'bids while the client is away again');
  const third = await reconnect(second, auctionId, 'query');
  const rejoinedAt = await latestSeq(auctionId);

  const { accepted, statuses } = await storm;
  bursting = false;
  await Promise.all(flakyRuns);
  t.log(`statuses ${JSON.stringify(statuses)}; dropped at ${droppedAt} and ${droppedAgainAt}; rejoined when the log was at ${rejoinedAt}`);
  const N = await latestSeq(auctionId);
  t.is(N, accepted, 'one event per price-changing bid');
  t.true(N >= TARGET);
  t.true(rejoinedAt < N, 'the last reconnect happened mid-burst');
  t.true(late.late >= N / 5 - 1, `${late.late} publishes were late`);

  await third.waitFor((c) => c.lastEventId === String(N), 10_000, `event ${N}`);
  const seen = [first, second, third].flatMap((c) => c.seqs);
  t.deepEqual(seen, range(1, N), 'every event exactly once, in order, across three connections');
  t.true(second.seqs[0] === droppedAt + 1 && third.seqs[0] === droppedAgainAt + 1, 'each reconnect resumes right after the last id');

  for (const [i, history] of flakyHistories.entries()) {
    await history.at(-1)!.waitFor((c) => c.lastEventId === String(N), 10_000, `flaky client ${i} to reach ${N}`);
    t.true(history.length > 2, `flaky client ${i} reconnected ${history.length - 1} times`);
    t.deepEqual(history.flatMap((c) => c.seqs), range(1, N), `flaky client ${i}: every event once, in order`);
  }
  // The payloads are the committed ones: the last event shows the auction as it is now.
  const auction = (await app.request('GET', `/v1/auctions/${auctionId}`)).body;
  t.like(third.payloads.at(-1), { seq: N, currentPrice: auction.currentPrice, leaderId: auction.leaderId, bidCount: auction.bidCount, endsAt: auction.endsAt });
});

test('a client that missed more events than one page of the log gets all of them, without waiting for a new bid', async (t) => {
  const N = 1_100;
  const { auctionId, bidders } = await openAuction(app, { startPrice: START_PRICE, bidders: 2 });
  let minimum = START_PRICE;
  for (let k = 1; k <= N; k++) {
    const res = await bid(bidders[k % 2]!, auctionId, minimum);
    if (res.status !== 201) throw new Error(`bid ${k} failed: ${res.status} ${JSON.stringify(res.body)}`);
    minimum = res.body.auction.minimumBid;
  }
  t.is(await latestSeq(auctionId), N);

  const fromStart = await open(auctionId, { lastEventId: '0' });
  const fromMiddle = await open(auctionId, { lastEventId: '40', via: 'query' });
  await fromStart.waitFor((c) => c.lastEventId === String(N), 15_000, `event ${N}`);
  await fromMiddle.waitFor((c) => c.lastEventId === String(N), 15_000, `event ${N}`);
  t.deepEqual(fromStart.seqs, range(1, N));
  t.deepEqual(fromMiddle.seqs, range(41, N));
  t.false(fromStart.endedByServer, 'a long replay is not cut off as a slow client');
});
