import test from 'ava';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { startApiProcess, type ApiProcess } from '../support/api-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { dropRedisKeys, TEST_REDIS_URL } from '../support/redis-keys.ts';

/**
 * A rolling restart seen by clients that are not health-gated and reuse keep-alive connections,
 * as most HTTP clients and proxies do: they spread requests over two API processes round-robin,
 * never ask /health/ready, and try the other instance only when a connection is refused (the one
 * failure that is always safe to retry: nothing was sent). Each process in turn is sent SIGTERM and
 * started again. Not one request may fail: while draining, an instance must hand its keep-alive
 * connections back (`Connection: close`) before it stops listening, so no request is ever written
 * onto a connection the server is about to drop.
 */
let db: TestDatabase;
const processes: ApiProcess[] = [];
const redis = { redisUrl: TEST_REDIS_URL, redisKeyPrefix: `gavel_test_keepalive_${randomBytes(4).toString('hex')}` };
test.before(async () => {
  db = await createTestDatabase('keepalive');
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
  connection: string | undefined;
}

/** Keep-alive, as a client's connection pool does; the most recently used connection is reused first. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 16, scheduling: 'lifo' });

function send(port: number, method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null, connection: res.headers.connection }));
        res.on('error', reject);
      },
    );
    // A refused connect is retried elsewhere; anything after the request was written is a failure.
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
    req.end(payload);
  });
}

test('keep-alive clients that ignore readiness lose no request across a rolling restart', async (t) => {
  t.timeout(120_000);
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: redis.redisUrl,
    REDIS_KEY_PREFIX: redis.redisKeyPrefix,
    BID_RATE_LIMIT_PER_MIN: '100000',
    SHUTDOWN_DRAIN_MS: '1000',
  };
  processes.push(await startApiProcess(env), await startApiProcess(env));
  const ports = processes.map((p) => p.port);

  const failures: string[] = [];
  let ok = 0;
  let refused = 0;
  let closeSeen = 0;
  let turn = 0;
  const call = async (method: string, path: string, body?: unknown, token?: string): Promise<Answer | null> => {
    const first = turn++ % 2;
    for (const index of [first, 1 - first]) {
      try {
        const answer = await send(ports[index]!, method, path, body, token);
        if (answer.status >= 500) failures.push(`${method} ${path} → ${answer.status}`);
        else ok++;
        if (answer.connection === 'close') closeSeen++;
        return answer;
      } catch (error) {
        const { code, reusedSocket } = error as NodeJS.ErrnoException & { reusedSocket?: boolean };
        if (code === 'ECONNREFUSED' && index === first) {
          refused++;
          continue;
        }
        failures.push(`${method} ${path} → ${code ?? (error as Error).message}${reusedSocket ? ' (reused connection)' : ''}`);
        return null;
      }
    }
    return null;
  };

  const signup = async (n: number) => {
    const res = await call('POST', '/v1/auth/signup', { phone: `+821078${String(process.pid % 1000).padStart(3, '0')}${String(n).padStart(3, '0')}`, password: 'correct horse battery', nickname: `keepalive${n}` });
    t.is(res?.status, 201);
    return res!.body.accessToken as string;
  };
  const [seller, alice, bob] = [await signup(1), await signup(2), await signup(3)];
  const created = await call('POST', '/v1/listings', {
    title: '연결 유지 경매',
    description: 'keep-alive drain',
    categoryId: 1,
    auction: { startPrice: 1000, endsAt: new Date(Date.now() + 3_600_000).toISOString() },
  }, seller);
  t.is(created?.status, 201);
  const auctionId = created!.body.auctionId as string;

  let running = true;
  let minimum = 1000;
  const bidders = Array.from({ length: 2 }, async (_, n) => {
    while (running) {
      const bid = await call('POST', `/v1/auctions/${auctionId}/bids`, { amount: minimum }, n ? alice : bob);
      const next = bid?.body?.auction?.minimumBid ?? bid?.body?.minimumBid;
      if (next) minimum = Math.max(minimum, next);
    }
  });
  const readers = Array.from({ length: 6 }, async (_, n) => {
    while (running) {
      await call('GET', n % 2 ? `/v1/auctions/${auctionId}` : '/v1/listings?limit=5');
      // Some clients pause between requests, so their pooled connections sit idle for a while.
      if (n >= 4) await new Promise((r) => setTimeout(r, 150 + n * 40));
    }
  });

  for (const index of [0, 1]) {
    await new Promise((r) => setTimeout(r, 1500));
    const { code } = await processes[index]!.terminate();
    t.is(code, 0, `instance ${index} exits cleanly`);
    processes[index] = await startApiProcess(env, ports[index]);
  }
  await new Promise((r) => setTimeout(r, 1000));
  running = false;
  await Promise.all([...bidders, ...readers]);
  agent.destroy();

  t.log(`${ok} requests answered, ${refused} retried on a refused connection, ${closeSeen} answered with Connection: close`);
  t.deepEqual(failures, []);
  t.true(ok > 200, 'the load was real');
  t.true(closeSeen > 0, 'draining instances handed their connections back');
});
