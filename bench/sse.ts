/**
 * Live-price fan-out: N SSE clients (default 10,000) on ONE API process, bids at a steady rate,
 * commit-to-receipt latency and the API process's memory; beside the floor, a bare Redis
 * PUBLISH → SUBSCRIBE round measured in the same run.
 *
 *   npm run bench:sse     (BENCH_CLIENTS=10000 BENCH_BIDS_PER_S=5 BENCH_SECONDS=20)
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createAccessTokens } from '../domain/accounts/access-tokens.ts';
import { loadConfig } from '../infra/config.ts';
import { createRedis } from '../infra/redis.ts';
import { benchDatabase, percentile, readSseData, startApiProcess } from './support.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10_000);
const BIDS_PER_S = Number(process.env.BENCH_BIDS_PER_S ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const PREFIX = `gavel_bench_sse_${process.pid}`;

const rssMb = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Math.round(Number(line.replace(/\D+/g, '')) / 1024);
};
const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { samples: sorted.length, 'p50 ms': round(percentile(sorted, 50)), 'p99 ms': round(percentile(sorted, 99)), 'max ms': round(sorted.at(-1) ?? NaN) };
};

const db = await benchDatabase('sse');
const sql = new pg.Pool({ connectionString: db.url, max: 4 });
const { rows: users } = await sql.query<{ id: string }>(
  `insert into users (id, phone, password_hash, nickname)
   select gen_random_uuid(), '+8210' || lpad(n::text, 8, '0'), 'not-a-login', 'bench' || n from generate_series(1, 3) n returning id`,
);
const [seller, alice, bob] = users.map((u) => u.id);
const { rows: auctions } = await sql.query<{ id: string }>(
  `with l as (insert into listings (id, seller_id, category_id, title, description, sale_type, price)
              values (gen_random_uuid(), $1, 1, 'SSE 벤치', 'bench', 'auction', 1000) returning id)
   insert into auctions (id, listing_id, seller_id, status, start_price, current_price, starts_at, ends_at, original_ends_at)
   select gen_random_uuid(), l.id, $1, 'open', 1000, 1000, now(), now() + interval '1 day', now() + interval '1 day' from l returning id`,
  [seller],
);
const auctionId = auctions[0]!.id;
const tokens = createAccessTokens(loadConfig({ JWT_SECRET, NODE_ENV: 'production', METRICS_TOKEN: 'bench-metrics-token-0123' }).jwt);
const bidders = [alice!, bob!].map((userId) => `Bearer ${tokens.issue({ userId, role: 'user' })}`);

const api = await startApiProcess({
  NODE_ENV: 'production',
  DATABASE_URL: db.url,
  JWT_SECRET,
  METRICS_TOKEN: 'bench-metrics-token-0123',
  REDIS_KEY_PREFIX: PREFIX,
  BID_RATE_LIMIT_PER_MIN: '1000000',
  SSE_MAX_STREAMS_PER_ADDRESS: '100000',
});
const pid = api.child.pid!;
const rssIdle = rssMb(pid);

// Clients: raw http, one socket each, parsing only what the measurement needs.
const latencies: number[] = [];
const received = new Map<number, number>();
let connected = 0;
const requests: http.ClientRequest[] = [];
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
function openClient(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${api.baseUrl}/v1/auctions/${auctionId}/events?lastEventId=0`, { agent }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream refused: ${res.statusCode}`));
      readSseData(
        res,
        () => {
          connected++;
          resolve();
        },
        (data) => {
          const event = JSON.parse(data) as { seq: number; at: string };
          latencies.push(Date.now() - Date.parse(event.at));
          received.set(event.seq, (received.get(event.seq) ?? 0) + 1);
        },
      );
    });
    req.on('error', reject);
    requests.push(req);
  });
}

try {
  const openStarted = performance.now();
  for (let i = 0; i < CLIENTS; i += 250) {
    await Promise.all(Array.from({ length: Math.min(250, CLIENTS - i) }, openClient));
  }
  const openSeconds = (performance.now() - openStarted) / 1000;
  const rssConnected = rssMb(pid);

  // Two bidders take turns so every bid moves the price and is an event.
  let price = 1000;
  let turn = 0;
  let accepted = 0;
  const bidTimer = setInterval(() => {
    price += 1000;
    const amount = price;
    fetch(`${api.baseUrl}/v1/auctions/${auctionId}/bids`, {
      method: 'POST',
      headers: { authorization: bidders[turn++ % 2]!, 'content-type': 'application/json' },
      body: JSON.stringify({ amount }),
    })
      .then((r) => void (r.status === 201 && accepted++))
      // A bid that got no answer was not accepted; the count says so, rather than an unhandled rejection ending the run.
      .catch(() => undefined);
  }, 1000 / BIDS_PER_S);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  clearInterval(bidTimer);
  await new Promise((r) => setTimeout(r, 2000));
  const rssBusy = rssMb(pid);

  // The floor: the same fan-out hop without gavel, one PUBLISH to one SUBSCRIBE, same rate.
  const config = loadConfig({ NODE_ENV: 'development' });
  const sub = createRedis(config.redisUrl, 'subscriber');
  const pub = createRedis(config.redisUrl, 'queue');
  const baseline: number[] = [];
  const channel = `${PREFIX}:baseline`;
  sub.on('message', (_c: string, message: string) => baseline.push(performance.timeOrigin + performance.now() - Number(message)));
  await sub.subscribe(channel);
  for (let i = 0; i < Math.min(200, SECONDS * BIDS_PER_S); i++) {
    await pub.publish(channel, String(performance.timeOrigin + performance.now()));
    await new Promise((r) => setTimeout(r, 1000 / BIDS_PER_S));
  }
  await new Promise((r) => setTimeout(r, 200));
  sub.disconnect();
  pub.disconnect();

  const complete = [...received.values()].filter((n) => n === CLIENTS).length;
  console.log(`\n${CLIENTS} SSE clients on one API process (opened in ${openSeconds.toFixed(1)} s, ${connected} connected), ` +
    `${BIDS_PER_S} bids/s for ${SECONDS} s, node ${process.version}\n`);
  console.table({
    'SSE: commit → client receipt': stats(latencies),
    'bare Redis PUBLISH → SUBSCRIBE': stats(baseline),
  });
  console.log(`bids accepted: ${accepted}; events seen by every client: ${complete}/${received.size}; receipts: ${latencies.length}`);
  console.log(`API process RSS: idle ${rssIdle} MB, ${CLIENTS} streams ${rssConnected} MB ` +
    `(${Math.round(((rssConnected - rssIdle) * 1024) / CLIENTS)} KB per stream), after bidding ${rssBusy} MB`);
} finally {
  for (const req of requests) req.destroy();
  agent.destroy();
  await api.stop();
  await sql.end();
  await db.drop();
}
