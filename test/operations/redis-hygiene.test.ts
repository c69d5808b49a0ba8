import test from 'ava';
import { startTestApi, type TestApi } from '../support/api.ts';
import { listAuction, placeBid } from '../support/listings.ts';
import { startPeerApi } from '../support/peer-api.ts';
import { dropRedisKeys, redisKeysUnder, type RedisPrefix } from '../support/redis-keys.ts';
import { SseClient } from '../support/sse-client.ts';
import { spawnWorkerProcess, stopWorkerProcess, waitForWorkerCount } from '../support/worker-process.ts';
import { recordingSms, sql, startInProcessWorkers, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * The test harnesses share one Redis, each under a key prefix of its own. Whatever a harness
 * leaves there stays for good (BullMQ keeps its queues, job schedulers and finished jobs without
 * expiry), and every test run would add to it. So a harness that has closed leaves nothing under
 * its prefix: not its queues, nor its rate-limit counters, nor its event-stream slots, nor what
 * its workers (in this process or their own) wrote. Each test has its own app and prefix.
 */
const prefixOf = (app: TestApi): RedisPrefix => ({ redisUrl: app.deps.config.redisUrl, redisKeyPrefix: app.deps.config.redisKeyPrefix });

/** The key families under a prefix: `bull:auctions`, `rl:bid`, `sse-slots`... */
const familiesOf = (keys: string[], prefix: string) =>
  [
    ...new Set(
      keys.map((key) => {
        const parts = key.slice(prefix.length + 1).split(':');
        return (parts[0] === 'bull' || parts[0] === 'rl' ? parts.slice(0, 2) : parts.slice(0, 1)).join(':');
      }),
    ),
  ].sort();

const cleanups: (() => Promise<unknown>)[] = [];
test.after.always(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** Closes in the order a test file does (workers, then the app), each only once. */
function closer(app: TestApi, workers?: InProcessWorkers) {
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await workers?.close();
      await app.close();
    })());
  cleanups.push(close);
  return close;
}

test('an app with in-process workers, after signups, an auction, bids, a rate limit, an event stream and a close job, leaves no key', async (t) => {
  const app = await startTestApi('redis_hygiene', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0' });
  const sms = recordingSms();
  const workers = await startInProcessWorkers(app, sms);
  const close = closer(app, workers);
  const prefix = prefixOf(app);

  const [seller, bidder] = await Promise.all([app.signup(), app.signup()]);
  t.is((await app.request('POST', '/v1/auth/login', { body: { phone: seller.phone, password: 'not the password' } })).status, 401);
  const { auctionId, endsAt } = await listAuction(app, seller, { title: '레디스 청소 경매', endsAt: new Date(Date.now() + 1_500) });
  await placeBid(app, bidder, auctionId, 10_000);

  const stream = await SseClient.open(`${app.baseUrl}/v1/auctions/${auctionId}/events`);
  t.is(stream.status, 200);
  await stream.waitFor((c) => c.comments.includes('connected'), 5_000, 'the stream to open');
  const whileStreaming = await redisKeysUnder(prefix);
  await stream.close();

  await waitFor('the close job to close the auction', async () => (await sql(app, 'select status from auctions where id = ?', [auctionId]))[0]?.status === 'closed', endsAt.getTime() + 10_000 - Date.now());
  await waitFor('the SMS of the sale', async () => sms.to(bidder.phone).length > 0, 10_000);

  // The scenario did write what a test run writes: queues, jobs, rate limits, stream slots.
  const families = familiesOf(await redisKeysUnder(prefix), prefix.redisKeyPrefix);
  for (const family of ['bull:auctions', 'bull:notifications', 'bull:maintenance', 'rl:bid', 'rl:login-phone', 'rl:login-address']) t.true(families.includes(family), `${family} in ${families.join(', ')}`);
  t.true(familiesOf(whileStreaming, prefix.redisKeyPrefix).includes('sse-slots'), 'the open stream held a slot');

  await close();
  t.deepEqual(await redisKeysUnder(prefix), []);
});

test('a worker process leaves no key once it and the app have stopped', async (t) => {
  const app = await startTestApi('redis_hygiene_proc', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0' });
  const close = closer(app);
  const prefix = prefixOf(app);
  const worker = spawnWorkerProcess(app, { SMS_SENDER: 'log' });
  cleanups.push(() => stopWorkerProcess(worker));
  await waitForWorkerCount(app.deps.jobs, 1, 20_000);

  const [seller, bidder] = await Promise.all([app.signup(), app.signup()]);
  const { auctionId, endsAt } = await listAuction(app, seller, { endsAt: new Date(Date.now() + 1_500) });
  await placeBid(app, bidder, auctionId, 10_000);
  await waitFor('the worker process to close the auction', async () => (await sql(app, 'select status from auctions where id = ?', [auctionId]))[0]?.status === 'closed', endsAt.getTime() + 10_000 - Date.now());
  t.true((await redisKeysUnder(prefix)).some((key) => key.includes(':bull:maintenance:repeat')), 'the worker process registered its sweep scheduler');

  t.is((await stopWorkerProcess(worker)).code, 0);
  await close();
  t.deepEqual(await redisKeysUnder(prefix), []);
});

for (const first of ['peer', 'app'] as const) {
  test(`an app and a peer on one prefix, the ${first} closing first: the keys stay until the last of them closes`, async (t) => {
    const app = await startTestApi('redis_hygiene_peer');
    const closeApp = closer(app);
    const peer = await startPeerApi(app);
    cleanups.push(() => peer.close());
    const prefix = prefixOf(app);

    const [seller, bidder] = await Promise.all([app.signup(), app.signup()]);
    const { auctionId } = await listAuction(app, seller, { endsAt: new Date(Date.now() + 3_600_000) });
    const bidThrough = (baseUrl: string, amount: number) =>
      fetch(`${baseUrl}/v1/auctions/${auctionId}/bids`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bidder.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount }),
      }).then((res) => res.status);
    t.is(await bidThrough(peer.baseUrl, 10_000), 201);

    if (first === 'peer') {
      await peer.close();
      t.true((await redisKeysUnder(prefix)).some((key) => key.includes(':bull:auctions:')), 'the close job is kept for the app');
      t.is(await bidThrough(app.baseUrl, 20_000), 201, 'the app still works once the peer has closed');
      await closeApp();
    } else {
      await closeApp();
      t.true((await redisKeysUnder(prefix)).some((key) => key.includes(':bull:auctions:')), 'the keys are kept while the peer runs');
      await peer.close();
    }
    t.deepEqual(await redisKeysUnder(prefix), []);
  });
}

test('the keys are not removed under workers that still run: that fails, naming them', async (t) => {
  const app = await startTestApi('redis_hygiene_order');
  const workers = await startInProcessWorkers(app, recordingSms());
  const close = closer(app, workers);
  const prefix = prefixOf(app);
  const before = await redisKeysUnder(prefix);
  t.true(before.length > 0);

  const error = await t.throwsAsync(dropRedisKeys(prefix, { waitMs: 300 }));
  t.regex(error!.message, /workers still connected/);
  t.regex(error!.message, new RegExp(`${prefix.redisKeyPrefix}:bull:`));
  const after = await redisKeysUnder(prefix);
  for (const key of before.filter((k) => k.endsWith(':meta'))) t.true(after.includes(key), `${key} was not removed`);

  await close();
  t.deepEqual(await redisKeysUnder(prefix), []);
});
