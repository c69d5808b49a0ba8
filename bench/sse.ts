/**
 * Live-price fan-out: N SSE clients (default 10,000) on ONE API process, bids at a steady rate,
 * commit-to-receipt latency and the API process's memory; then every client reconnecting at
 * once with Last-Event-ID (as after a Redis blip) and the event-log queries that cost; beside
 * the floors measured in the same run: a bare node:http server writing frames of the same size
 * to the same number of open responses (bench/bare-sse-server.ts), and a bare Redis
 * PUBLISH → SUBSCRIBE round.
 *
 *   npm run bench:sse     (BENCH_CLIENTS=10000 BENCH_BIDS_PER_S=5 BENCH_SECONDS=20)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
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
let latencies: number[] = [];
let received = new Map<number, number>();
let connected = 0;
let lastData = '';
let requests: http.ClientRequest[] = [];
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
function openClient(url: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
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
          lastData = data;
        },
      );
    });
    req.on('error', reject);
    requests.push(req);
  });
}
async function openAll(url: string, headers?: Record<string, string>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < CLIENTS; i += 250) await Promise.all(Array.from({ length: Math.min(250, CLIENTS - i) }, () => openClient(url, headers)));
  return (performance.now() - started) / 1000;
}
function closeAll() {
  for (const req of requests) req.destroy();
  requests = [];
  latencies = [];
  received = new Map();
  connected = 0;
}
const logReads = async () => {
  const text = await fetch(`${api.baseUrl}/metrics`, { headers: { authorization: 'Bearer bench-metrics-token-0123' } }).then((r) => r.text());
  const count = (served: string) => Number(new RegExp(`^gavel_sse_log_reads_total\\{[^}]*served="${served}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { database: count('database'), shared: count('shared') };
};

try {
  const eventsUrl = `${api.baseUrl}/v1/auctions/${auctionId}/events`;
  const openSeconds = await openAll(`${eventsUrl}?lastEventId=0`);
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

  const gavel = { latencies, received, connected };

  // A Redis blip, as the clients see it: every stream drops and comes back at once, each with
  // the Last-Event-ID it had, a few events behind the newest.
  const lastSeq = Math.max(...received.keys());
  closeAll();
  const readsBefore = await logReads();
  const reconnectSeconds = await openAll(eventsUrl, { 'last-event-id': String(Math.max(0, lastSeq - 3)) });
  const readsAfter = await logReads();
  const replayed = [...received.values()].filter((n) => n === CLIENTS).length;
  closeAll();

  // Floor 1: a bare node:http server, frames of the same size to the same number of responses.
  const bare = spawn(process.execPath, [new URL('./bare-sse-server.ts', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [portLine] = (await once(bare.stdout!, 'data')) as [Buffer];
  const bareUrl = `http://127.0.0.1:${Number(portLine.toString().trim())}/`;
  const bareIdle = rssMb(bare.pid!);
  await openAll(bareUrl);
  const bareConnected = rssMb(bare.pid!);
  // The same JSON as gavel's last event, its time and number stamped by the bare server.
  const template = lastData.replace(/"at":"[^"]*"/, '"at":0').replace(/"seq":\d+/, '"seq":0');
  const bareTimer = setInterval(() => bare.stdin!.write(`${template}\n`), 1000 / BIDS_PER_S);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  clearInterval(bareTimer);
  await new Promise((r) => setTimeout(r, 2000));
  const bareStats = { latencies, received };
  closeAll();
  bare.kill();

  // Floor 2: the same fan-out hop without gavel, one PUBLISH to one SUBSCRIBE, same rate.
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

  const complete = [...gavel.received.values()].filter((n) => n === CLIENTS).length;
  const gavelStats = stats(gavel.latencies);
  const floorStats = stats(bareStats.latencies);
  console.log(`\n${CLIENTS} SSE clients on one API process (opened in ${openSeconds.toFixed(1)} s, ${gavel.connected} connected), ` +
    `${BIDS_PER_S} bids/s for ${SECONDS} s, node ${process.version}\n`);
  console.table({
    'SSE: commit → client receipt': gavelStats,
    'bare node:http, same frames and streams': floorStats,
    'bare Redis PUBLISH → SUBSCRIBE': stats(baseline),
  });
  console.log(`p99 ratio to the bare node:http server: ${(gavelStats['p99 ms'] / floorStats['p99 ms']).toFixed(2)}x`);
  console.log(`bids accepted: ${accepted}; events seen by every client: ${complete}/${gavel.received.size}; receipts: ${gavel.latencies.length}`);
  console.log(`API process RSS: idle ${rssIdle} MB, ${CLIENTS} streams ${rssConnected} MB ` +
    `(${Math.round(((rssConnected - rssIdle) * 1024) / CLIENTS)} KB per stream), after bidding ${rssBusy} MB`);
  console.log(`bare server RSS: idle ${bareIdle} MB, ${CLIENTS} streams ${bareConnected} MB (${Math.round(((bareConnected - bareIdle) * 1024) / CLIENTS)} KB per stream)`);
  console.log(`reconnect of all ${CLIENTS} streams with Last-Event-ID = newest - 3: ${reconnectSeconds.toFixed(1)} s; ` +
    `event-log reads: ${readsAfter.database - readsBefore.database} queries, ${readsAfter.shared - readsBefore.shared} shared answers; ` +
    `${replayed} of the missed events replayed to every client`);
} finally {
  closeAll();
  agent.destroy();
  await api.stop();
  await sql.end();
  await db.drop();
}
