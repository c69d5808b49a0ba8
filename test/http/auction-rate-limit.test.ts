import test, { type ExecutionContext } from 'ava';
import type { AppDeps } from '../../api/context.ts';
import { listen, type RunningApi } from '../../api/server.ts';
import { createRateLimiters } from '../../infra/rate-limiter.ts';
import { createRedis, type Redis } from '../../infra/redis.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { openAuction } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';

/**
 * The per-user bid limit, with 5 bids a minute. A second API process is another app instance on
 * the same database and the same Redis key prefix, as two replicas behind a load balancer are.
 */
const LIMIT = 5;
let app: TestApi;
let replica: { api: RunningApi; redis: Redis; baseUrl: string };
test.before(async () => {
  app = await startTestApi('auction_rate_limit', { BID_RATE_LIMIT_PER_MIN: String(LIMIT) });
  const redis = createRedis(app.deps.config.redisUrl, 'commands');
  const deps: AppDeps = { ...app.deps, redis, ...createRateLimiters(app.deps.config, redis, app.deps.logger), lifecycle: { shuttingDown: false } };
  const api = await listen(deps, 0);
  replica = { api, redis, baseUrl: `http://127.0.0.1:${api.port}` };
});
test.after.always(async () => {
  await replica?.api.close(1000);
  replica?.redis.disconnect();
  await app?.close();
});

const newAuctionId = async () => (await openAuction(app)).auctionId;

async function bid(user: TestUser, auctionId: string, amount: number, baseUrl = app.baseUrl): Promise<HttpResult> {
  const response = await fetch(`${baseUrl}/v1/auctions/${auctionId}/bids`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const bidRows = async (user: TestUser) =>
  (await app.db.orm.em.fork().execute<{ n: number }[]>('select count(*)::int as n from bids where bidder_id = ?', [user.id]))[0]!.n;

function assertLimited(t: ExecutionContext, res: HttpResult) {
  assertProblem(t, res, 429, 'bid-rate-limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  t.true(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${res.headers.get('retry-after')}`);
  t.is(res.body.retryAfterS, retryAfter);
}

test('the 6th bid within a minute gives 429 with Retry-After, even spread over auctions, and changes nothing', async (t) => {
  const user = await app.signup();
  const auctions = await Promise.all([1, 2, 3].map(() => newAuctionId()));
  for (let i = 0; i < LIMIT; i++) {
    const res = await bid(user, auctions[i % auctions.length]!, 10_000 + 2_000 * Math.floor(i / auctions.length));
    t.is(res.status, 201, `bid ${i + 1}: ${JSON.stringify(res.body)}`);
  }
  const target = auctions[2]!;
  const [before] = await app.db.orm.em.fork().execute<any[]>('select * from auctions where id = ?', [target]);
  assertLimited(t, await bid(user, target, 50_000));
  const [after] = await app.db.orm.em.fork().execute<any[]>('select * from auctions where id = ?', [target]);
  t.deepEqual(after, before);
  t.is(await bidRows(user), LIMIT);
});

test('one user over the limit does not limit another', async (t) => {
  const [greedy, patient] = await Promise.all([app.signup(), app.signup()]);
  const auctionId = await newAuctionId();
  for (let i = 0; i < LIMIT; i++) await bid(greedy, auctionId, 100_000 + i * 10_000);
  assertLimited(t, await bid(greedy, auctionId, 200_000));
  const other = await bid(patient, auctionId, 300_000);
  t.is(other.status, 201, JSON.stringify(other.body));
});

test('the limit is kept in Redis and shared by every API instance', async (t) => {
  const user = await app.signup();
  const auctions = await Promise.all([1, 2].map(() => newAuctionId()));
  const results: number[] = [];
  // Alternate between the instances: neither alone sees more than 3 of the 5 bids.
  for (let i = 0; i < LIMIT; i++) {
    const res = await bid(user, auctions[i % 2]!, 10_000 + 2_000 * i, i % 2 ? replica.baseUrl : app.baseUrl);
    results.push(res.status);
  }
  t.deepEqual(results, Array(LIMIT).fill(201));
  assertLimited(t, await bid(user, auctions[0]!, 90_000, replica.baseUrl));
  assertLimited(t, await bid(user, auctions[1]!, 90_000, app.baseUrl));
  t.is(await bidRows(user), LIMIT);
  const keys = await replica.redis.keys(`${app.deps.config.redisKeyPrefix}:rl:bid*${user.id}*`);
  t.true(keys.length >= 1, 'the count lives under the shared prefix');
});
