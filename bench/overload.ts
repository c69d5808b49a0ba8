/**
 * One API process driven at about twice its capacity, with load shedding (the defaults) and,
 * as the baseline in the same run, the same load with shedding turned off (no in-flight bound,
 * no pool acquire timeout). Prints the shed rate, latency of accepted and of refused requests,
 * the API's peak RSS and what /health/ready answered meanwhile (polled every 250 ms).
 *
 *   npm run bench:overload     (BENCH_SECONDS=15 of load per scenario, capacity measured first)
 *
 * The mix, per request: 50 % search (GET /v1/listings), 30 % an auction (GET /v1/auctions/:id),
 * 20 % a bid on one of 200 auctions. Capacity is what 32 closed-loop clients get through with
 * the defaults; the open-loop load then sends requests at twice that rate whatever the answers.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { createAccessTokens } from '../domain/accounts/access-tokens.ts';
import { loadConfig } from '../infra/config.ts';
import { benchDatabase, closedLoop, percentile, seedAuctions, startApiProcess } from './support.ts';

const clientLag = monitorEventLoopDelay({ resolution: 10 });
clientLag.enable();
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CAPACITY_SECONDS = 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 512);
const AUCTIONS = 200;
const BIDDERS = 200;
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';
/** A client gives up on a request after this long (as a browser or mobile app would, roughly). */
const CLIENT_TIMEOUT_MS = 30_000;

const db = await benchDatabase('overload');
const sql = new pg.Pool({ connectionString: db.url, max: 5 });
const { rows: users } = await sql.query<{ id: string }>(
  `insert into users (id, phone, password_hash, nickname)
   select gen_random_uuid(), '+8210' || lpad(n::text, 8, '0'), 'not-a-login', 'bench' || n
   from generate_series(1, $1) n returning id`,
  [BIDDERS + 1],
);
const [sellerId, ...bidderIds] = users.map((u) => u.id);
const auctionIds = await seedAuctions(sql, sellerId!, AUCTIONS);
await sql.query('analyze');
const tokens = createAccessTokens(loadConfig({ JWT_SECRET, NODE_ENV: 'production', METRICS_TOKEN: 'bench-metrics-token-0123' }).jwt);
const bearer = bidderIds.map((userId) => `Bearer ${tokens.issue({ userId: userId!, role: 'user' })}`);
const minimum = new Map(auctionIds.map((id) => [id, 10_000]));

const baseEnv = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'error',
  DATABASE_URL: db.url,
  JWT_SECRET,
  METRICS_TOKEN: 'bench-metrics-token-0123',
  BID_RATE_LIMIT_PER_MIN: '1000000',
  REDIS_KEY_PREFIX: `gavel_bench_overload_${process.pid}`,
};
const defaults = loadConfig({ JWT_SECRET });
/** The production defaults, spelled out: the helper that starts API processes lifts them for tests. */
const SHEDDING_ON = {
  API_MAX_IN_FLIGHT: String(defaults.admission.maxInFlight),
  API_MAX_QUEUED: String(defaults.admission.maxQueued),
  API_QUEUE_TIMEOUT_MS: String(defaults.admission.queueTimeoutMs),
  API_MAX_EVENT_LOOP_DELAY_MS: String(defaults.admission.maxEventLoopDelayMs),
  DATABASE_ACQUIRE_TIMEOUT_MS: String(defaults.databaseAcquireTimeoutMs),
};
/** BENCH_SHEDDING='{"API_MAX_IN_FLIGHT":"32"}' tries other settings in the shedding scenario. */
Object.assign(SHEDDING_ON, JSON.parse(process.env.BENCH_SHEDDING ?? '{}'));
const SHEDDING_OFF = { API_MAX_IN_FLIGHT: '0', API_MAX_EVENT_LOOP_DELAY_MS: '0', DATABASE_ACQUIRE_TIMEOUT_MS: '0' };

interface Outcome {
  /** From when the request was due (including any wait for one of the client's connections). */
  ms: number;
  /** From when the request got a connection: the server's share (reading, deciding, answering). */
  onWireMs: number;
  status: number | 'error' | 'timeout';
  /** For a refusal, its problem type's last segment (overloaded, database-busy, ...). */
  problem?: string;
}

/** Connections the client had to open, and how long each took to be accepted. */
const fresh = { connections: 0, connectMs: [] as number[] };

function request(agent: http.Agent, port: number, n: number): Promise<Outcome> {
  const started = performance.now();
  const pick = n % 10;
  const auctionId = auctionIds[n % AUCTIONS]!;
  let method = 'GET';
  let path = `/v1/auctions/${auctionId}`;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  if (pick < 5) path = `/v1/listings?limit=20${n % 3 ? '&sort=price_asc' : ''}`;
  else if (pick >= 8) {
    method = 'POST';
    path = `/v1/auctions/${auctionId}/bids`;
    body = JSON.stringify({ amount: minimum.get(auctionId)! });
    headers.authorization = bearer[n % BIDDERS]!;
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  let onWire = started;
  const done = (status: Outcome['status']): Outcome => {
    const now = performance.now();
    return { ms: now - started, onWireMs: now - onWire, status };
  };
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers, timeout: CLIENT_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        if (method === 'POST' && text.startsWith('{')) {
          const parsed = JSON.parse(text) as { auction?: { minimumBid: number }; minimumBid?: number };
          const next = parsed.auction?.minimumBid ?? parsed.minimumBid;
          if (next && next > minimum.get(auctionId)!) minimum.set(auctionId, next);
        }
        const outcome = done(res.statusCode!);
        if (res.statusCode === 503 || res.statusCode === 429) outcome.problem = /"type":"[^"]*\/([^"/]+)"/.exec(text)?.[1] ?? 'unknown';
        resolve(outcome);
      });
      res.on('error', () => resolve(done('error')));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(done('timeout'));
    });
    req.on('error', () => resolve(done('error')));
    req.on('socket', (socket) => {
      onWire = performance.now();
      if (!socket.connecting) return;
      fresh.connections++;
      socket.once('connect', () => fresh.connectMs.push(performance.now() - onWire));
    });
    req.end(body);
  });
}

const rssMb = async (pid: number) => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};

/** Watches the API while it is loaded: peak RSS and every readiness answer (2 s budget, as a balancer's check). */
function watch(port: number, pid: number) {
  let running = true;
  let peakRss = 0;
  const readiness = { ok: 0, notReady: 0, noAnswer: 0 };
  const loops = [
    (async () => {
      while (running) {
        peakRss = Math.max(peakRss, await rssMb(pid));
        await new Promise((r) => setTimeout(r, 250));
      }
    })(),
    (async () => {
      while (running) {
        const status = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 0);
        if (status === 200) readiness.ok++;
        else if (status === 503) readiness.notReady++;
        else readiness.noAnswer++;
        await new Promise((r) => setTimeout(r, 250));
      }
    })(),
  ];
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { peakRss, readiness };
    },
  };
}

async function measureCapacity(): Promise<number> {
  const api = await startApiProcess({ ...baseEnv, ...SHEDDING_OFF });
  const port = Number(new URL(api.baseUrl).port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    let n = 0;
    // Warm up (JIT, pool, plans), then measure.
    await closedLoop(32, 2, async () => typeof (await request(agent, port, n++)).status === 'number');
    const samples = await closedLoop(32, CAPACITY_SECONDS, async () => {
      const { status } = await request(agent, port, n++);
      return typeof status === 'number' && status < 500;
    });
    return samples.filter((s) => s.accepted).length / CAPACITY_SECONDS;
  } finally {
    agent.destroy();
    await api.stop();
  }
}

/** Open loop: `rate` requests/s for SECONDS, sent on schedule whatever the answers (as real users do). */
async function overloadScenario(name: string, env: Record<string, string>, rate: number) {
  const api = await startApiProcess({ ...baseEnv, ...env });
  const port = Number(new URL(api.baseUrl).port);
  // As behind a load balancer: a pool of keep-alive connections to the instance. A request waits
  // for a free connection when all are busy, and that wait counts in its latency (the timer starts
  // when the request is due), as a user behind the balancer would see it.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  // A balancer sends load to an instance once it is ready, and a new instance warms up (JIT, pool,
  // plans) on its first requests: warm it as the capacity run does, with every connection opened,
  // so the figures are the steady overload, not the cold start (BENCH_COLD=1 skips this).
  if (!process.env.BENCH_COLD) {
    let w = 0;
    await closedLoop(CONNECTIONS, 1, async () => typeof (await request(agent, port, w++)).status === 'number');
    await closedLoop(32, 2, async () => typeof (await request(agent, port, w++)).status === 'number');
    fresh.connections = 0;
    fresh.connectMs = [];
  }
  const startRss = await rssMb(api.child.pid!);
  const watcher = watch(port, api.child.pid!);
  const pending: Promise<Outcome>[] = [];
  let n = 0;
  const started = performance.now();
  const tickMs = 10;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      if (elapsed >= SECONDS * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor((elapsed / 1000) * rate);
      while (n < due) pending.push(request(agent, port, n++));
    }, tickMs);
  });
  const outcomes = await Promise.all(pending);
  // Until the last answer: a process that queues instead of shedding keeps answering after the load stops.
  const wallS = (performance.now() - started) / 1000;
  const { peakRss, readiness } = await watcher.stop();
  const metricsText = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer bench-metrics-token-0123' } }).then((r) => r.text());
  const shedBy = (reason: string) => Number(new RegExp(`^gavel_http_shed_total\\{reason="${reason}"[^}]*\\} (\\d+)`, 'm').exec(metricsText)?.[1] ?? 0);
  // The load generator shares the cores: its own lag is part of every figure it measures.
  const clientLagP99 = clientLag.percentile(99) / 1e6;
  clientLag.reset();
  agent.destroy();
  await api.stop();
  const opened = { count: fresh.connections, p99: percentile([...fresh.connectMs].sort((a, b) => a - b), 99) };
  fresh.connections = 0;
  fresh.connectMs = [];

  const accepted = outcomes.filter((o) => typeof o.status === 'number' && o.status !== 503 && o.status !== 429);
  const shed = outcomes.filter((o) => o.status === 503 || o.status === 429);
  const failed = outcomes.filter((o) => typeof o.status !== 'number');
  const sorted = (list: Outcome[], key: 'ms' | 'onWireMs' = 'ms') => list.map((o) => o[key]).sort((a, b) => a - b);
  const ms = (v: number) => (Number.isNaN(v) ? '-' : Math.round(v));
  return {
    scenario: name,
    'offered/s': Math.round(n / SECONDS),
    'wall s': Number(wallS.toFixed(1)),
    'accepted/s': Math.round(accepted.length / wallS),
    'shed %': Number(((100 * shed.length) / n).toFixed(1)),
    'failed (timeout/conn)': failed.length,
    '5xx other than 503': accepted.filter((o) => (o.status as number) >= 500).length,
    'accepted p50 ms': ms(percentile(sorted(accepted), 50)),
    'accepted p99 ms': ms(percentile(sorted(accepted), 99)),
    'shed p99 ms': ms(percentile(sorted(shed), 99)),
    'shed p99 ms on the wire': ms(percentile(sorted(shed, 'onWireMs'), 99)),
    'refusals by type (p99 ms)': [...Map.groupBy(shed, (o) => o.problem ?? '?')].map(([type, list]) => `${type} ${list.length} (${ms(percentile(sorted(list), 99))})`).join(', '),
    'accepted p99 ms on the wire': ms(percentile(sorted(accepted, 'onWireMs'), 99)),
    'shed: loop delay/queue timeout/queue full': `${shedBy('event-loop-delay')}/${shedBy('queue-timeout')}/${shedBy('queue-full')}`,
    'RSS MB start/peak': `${Math.round(startRss)}/${Math.round(peakRss)}`,
    'ready 200/503/none': `${readiness.ok}/${readiness.notReady}/${readiness.noAnswer}`,
    'client loop delay p99 ms': Math.round(clientLagP99),
    'connections opened': opened.count,
    'connect p99 ms': ms(opened.p99),
  };
}

try {
  const capacity = await measureCapacity();
  const rate = Math.round(2 * capacity);
  console.log(`capacity (32 closed-loop clients, ${CAPACITY_SECONDS} s, no shedding): ${Math.round(capacity)} requests/s; driving ${rate}/s for ${SECONDS} s per scenario`);
  console.log(`defaults: ${JSON.stringify(SHEDDING_ON)}`);
  const results = [
    await overloadScenario('shedding on (defaults)', SHEDDING_ON, rate),
    ...(process.env.BENCH_NO_BASELINE ? [] : [await overloadScenario('baseline: shedding off', SHEDDING_OFF, rate)]),
  ];
  console.log(`\n2x capacity, open loop, node ${process.version}, ${SECONDS} s per scenario\n`);
  console.table(results);
} finally {
  await sql.end();
  await db.drop();
}
