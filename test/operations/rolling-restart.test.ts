import test from 'ava';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { startApiProcess, type ApiProcess } from '../support/api-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { dropRedisKeys, TEST_REDIS_URL } from '../support/redis-keys.ts';
import { TEST_JWT_SECRET } from '../support/secrets.ts';

/**
 * A rolling restart under load: two API processes on two ports, a client spreading bids and
 * reads across them the way a load balancer does: it health-checks /health/ready every 100 ms,
 * sends only to instances that answered ready (any, if none did), and retries on the other
 * instance only when a connection is refused. One process is sent SIGTERM and started again,
 * then the other. Not one request may fail.
 */
let db: TestDatabase;
const processes: ApiProcess[] = [];
/** The API processes' Redis and key prefix; no test harness owns them, so this file cleans up. */
const redis = { redisUrl: TEST_REDIS_URL, redisKeyPrefix: `gavel_test_rolling_${randomBytes(4).toString('hex')}` };
test.before(async () => {
  db = await createTestDatabase('rolling');
});
test.after.always(async () => {
  await Promise.all(
    processes.map(async (p) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return;
      const exited = new Promise((resolve) => p.child.once('exit', resolve));
      p.child.kill('SIGKILL');
      await exited;
    }),
  );
  await dropRedisKeys(redis);
  await db?.drop();
});

interface Answer {
  status: number;
  body: any;
}

/** One request on its own connection (no keep-alive), so a refused connect is the only retry case. */
function send(port: number, method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

test('restarting each of two API processes in turn under load fails no request', async (t) => {
  t.timeout(120_000);
  const env = {
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: db.url,
    REDIS_URL: redis.redisUrl,
    REDIS_KEY_PREFIX: redis.redisKeyPrefix,
    BID_RATE_LIMIT_PER_MIN: '100000',
    // Longer than the balancer's check interval, so it has seen "not ready" before the listener closes.
    SHUTDOWN_DRAIN_MS: '500',
  };
  processes.push(await startApiProcess(env), await startApiProcess(env));
  const ports = processes.map((p) => p.port);

  const failures: string[] = [];
  let ok = 0;
  let retried = 0;
  let turn = 0;
  const ready = [true, true];
  const drainSeen = [false, false];
  let checking = true;
  const healthChecks = ports.map(async (port, index) => {
    while (checking) {
      const answer = await send(port, 'GET', '/health/ready').catch(() => null);
      ready[index] = answer?.status === 200;
      // A 503 from a live listener: the instance is draining, as it must before it stops listening.
      if (answer?.status === 503) drainSeen[index] = true;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  /** Round-robin over ready instances; on a refused connection only, the other one. */
  const call = async (method: string, path: string, body?: unknown, token?: string): Promise<Answer | null> => {
    const preferred = turn++ % 2;
    const first = ready[preferred] || !ready[1 - preferred] ? preferred : 1 - preferred;
    for (const index of [first, 1 - first]) {
      try {
        const answer = await send(ports[index]!, method, path, body, token);
        if (answer.status >= 500) failures.push(`${method} ${path} → ${answer.status}`);
        else ok++;
        return answer;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED' && index === first) {
          retried++;
          continue;
        }
        failures.push(`${method} ${path} → ${(error as Error).message}`);
        return null;
      }
    }
    return null;
  };

  const signup = async (n: number) => {
    const res = await call('POST', '/v1/auth/signup', { phone: `+821077${String(process.pid % 1000).padStart(3, '0')}${String(n).padStart(3, '0')}`, password: 'correct horse battery', nickname: `rolling${n}` });
    t.is(res?.status, 201);
    return res!.body.accessToken as string;
  };
  const [seller, alice, bob] = [await signup(1), await signup(2), await signup(3)];
  const created = await call('POST', '/v1/listings', {
    title: '롤링 재시작 경매',
    description: 'rolling restart',
    categoryId: 1,
    auction: { startPrice: 1000, endsAt: new Date(Date.now() + 3_600_000).toISOString() },
  }, seller);
  t.is(created?.status, 201);
  const auctionId = created!.body.auctionId as string;

  let running = true;
  let minimum = 1000;
  const load = (async () => {
    let i = 0;
    while (running) {
      const bidder = i++ % 2 ? alice : bob;
      const bid = await call('POST', `/v1/auctions/${auctionId}/bids`, { amount: minimum }, bidder);
      const next = bid?.body?.auction?.minimumBid ?? bid?.body?.minimumBid;
      if (next) minimum = Math.max(minimum, next);
      await call('GET', `/v1/auctions/${auctionId}`);
      await call('GET', '/v1/listings?limit=5');
    }
  })();
  const readers = Array.from({ length: 4 }, async () => {
    while (running) await call('GET', `/v1/auctions/${auctionId}/bids?limit=5`);
  });

  for (const index of [0, 1]) {
    await new Promise((r) => setTimeout(r, 1500));
    const { code, ms } = await processes[index]!.terminate();
    t.is(code, 0, `instance ${index} exits cleanly`);
    t.true(ms < 10_000, `instance ${index} exits within 10 s (took ${ms} ms)`);
    processes[index] = await startApiProcess(env, ports[index]);
  }
  await new Promise((r) => setTimeout(r, 1000));
  running = false;
  await Promise.all([load, ...readers]);
  checking = false;
  await Promise.all(healthChecks);

  t.log(`${ok} requests answered, ${retried} retried on a refused connection`);
  t.deepEqual(failures, []);
  t.true(ok > 100, 'the load was real');
  t.deepEqual(drainSeen, [true, true], 'each instance reported not-ready while still listening');
});
