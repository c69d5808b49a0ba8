import test from 'ava';
import { Writable } from 'node:stream';
import { createLogger } from '../../infra/logger.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { createTestAuction } from '../support/listings.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.ts';

/**
 * PostgreSQL, then Redis, stopped under a running API (private servers, so the shared ones are
 * never touched) and started again. Every request that needs the missing one is a 503
 * problem+json with `Retry-After`, not a 500; the outage is logged once (a warn at its start, an
 * info at its end), never once per request and never at error level; and the API serves again
 * once the server is back, without a restart.
 */
const PROBLEMS = 'https://gavel.dev/problems/';

interface LogLine {
  level: number;
  msg: string;
  dependency?: string;
}

/** A logger whose JSON lines the test can read. */
function capturedLogger() {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger('info', {}, destination) };
}

const WARN = 40;
const ERROR = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}

let postgres: PrivatePostgres | undefined;
let redis: PrivateRedis | undefined;
const apps: TestApi[] = [];
test.after.always(async () => {
  if (postgres && !postgres.running) await postgres.start().catch(() => undefined);
  if (redis && !redis.running) await redis.start().catch(() => undefined);
  await Promise.allSettled(apps.map((a) => a.close()));
  await Promise.allSettled([postgres?.dispose(), redis?.dispose()]);
});

test.serial('PostgreSQL stopped: 503 with Retry-After, logged once, served again when it is back', async (t) => {
  t.timeout(90_000);
  postgres = await startPrivatePostgres();
  const { lines, logger } = capturedLogger();
  const app = await startTestApi('pg_outage', { BID_RATE_LIMIT_PER_MIN: '100000' }, { adminDatabaseUrl: postgres.adminUrl, logger, ownPool: true });
  apps.push(app);
  const seller = await app.signup();
  const bidder = await app.signup();
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) });
  t.is((await app.request('GET', '/v1/listings?limit=5')).status, 200);

  await postgres.stop();
  const during = [];
  for (let i = 0; i < 8; i++) {
    const started = Date.now();
    const answers = await Promise.all([
      app.request('GET', '/v1/listings?limit=5'),
      app.request('GET', `/v1/auctions/${auctionId}`),
      app.request('GET', '/v1/me', { token: bidder.accessToken }),
      app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount: 10_000 + i * 1000 } }),
    ]);
    during.push(...answers.map((res) => ({ ...res, ms: Date.now() - started })));
  }
  for (const res of during) {
    t.is(res.status, 503, JSON.stringify(res.body));
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    t.like(res.body, { type: `${PROBLEMS}database-unavailable`, status: 503 });
    t.regex(res.headers.get('retry-after') ?? '', /^\d+$/);
    t.true(res.ms < 3000, `answered in ${res.ms} ms`);
  }
  const ready = await app.request('GET', '/health/ready');
  t.is(ready.status, 503);
  t.like(ready.body, { checks: { database: 'failed', redis: 'ok' } });
  t.is((await app.request('GET', '/health/live')).status, 200);

  await postgres.start();
  // No restart of the API: the pool reconnects by itself.
  await eventually(() => app.request('GET', '/v1/listings?limit=5'), (res) => res.status === 200, 20_000, 'listings to be served again');
  t.is((await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount: 50_000 } })).status, 201);
  await eventually(async () => (await app.request('GET', '/health/ready')).status, (s) => s === 200, 10_000, 'ready again');
  await eventually(async () => lines.filter((l) => l.dependency === 'database' && l.msg.includes('available again')).length, (n) => n === 1, 5_000, 'the recovery to be logged');

  const outageWarnings = lines.filter((l) => l.level >= WARN && l.dependency === 'database');
  t.is(outageWarnings.length, 1, JSON.stringify(outageWarnings));
  t.regex(outageWarnings[0]!.msg, /database unavailable/);
  t.deepEqual(lines.filter((l) => l.level >= ERROR), [], 'nothing logged at error level');
});

test.serial('Redis stopped: what needs it is 503 with Retry-After, the rest is served, logged once, recovered', async (t) => {
  t.timeout(90_000);
  redis = await startPrivateRedis();
  const { lines, logger } = capturedLogger();
  const app = await startTestApi('redis_outage', { REDIS_URL: redis.url, BID_RATE_LIMIT_PER_MIN: '100000' }, { logger });
  apps.push(app);
  const seller = await app.signup();
  const bidder = await app.signup();
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) });

  await redis.stop();
  await sleep(500);
  const answers = [];
  for (let i = 0; i < 5; i++) {
    answers.push(
      ...(await Promise.all([
        app.request('GET', '/v1/listings?limit=5'),
        app.request('GET', `/v1/auctions/${auctionId}`),
        app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount: 10_000 + i * 1000 } }),
      ])),
    );
  }
  // PostgreSQL is the truth: reads and bids go on (limits fail open, follow-ups wait in their rows);
  // whatever fails for want of Redis is a 503 with Retry-After, never a 500.
  for (const res of answers) {
    t.true(res.status < 500 || (res.status === 503 && /^\d+$/.test(res.headers.get('retry-after') ?? '')), `${res.status} ${JSON.stringify(res.body)}`);
  }
  t.true(answers.filter((r) => r.status === 200 || r.status === 201).length >= 10, 'reads and bids are still served');
  const ready = await app.request('GET', '/health/ready');
  t.is(ready.status, 503);
  t.like(ready.body, { checks: { database: 'ok', redis: 'failed' } });

  await redis.start();
  await eventually(async () => (await app.request('GET', '/health/ready')).status, (s) => s === 200, 15_000, 'ready again');
  await eventually(async () => lines.filter((l) => l.dependency === 'redis' && l.msg.includes('available again')).length, (n) => n >= 1, 5_000, 'the recovery to be logged');

  const outageWarnings = lines.filter((l) => l.level >= WARN);
  // One per outage: reconnect attempts, failed limits and refused requests add none.
  t.is(outageWarnings.length, 1, JSON.stringify(outageWarnings.map((l) => l.msg)));
  t.regex(outageWarnings[0]!.msg, /redis unavailable/);
  t.deepEqual(lines.filter((l) => l.level >= ERROR), [], 'nothing logged at error level');
});
