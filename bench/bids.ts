/**
 * Bid throughput and latency through the HTTP API beside the floor: `pgbench -M prepared` over TCP
 * running the same five statements a bid needs at the least (lock the auction row, insert the bid,
 * insert the outbox event, update the auction, commit), with the same number of clients, in the
 * same run. Prints each scenario and its ratio to the floor.
 *
 *   npm run bench:bids            (BENCH_SECONDS=10 BENCH_CLIENTS=64 by default)
 *
 * Scenarios: 1,000 auctions through `npm start` (API and workers in one process, as the README's
 * command runs it) and through `start:api` alone; one hot auction through `npm start`. On the hot
 * auction most bids lose the race (their price went stale in flight) and are judged 4xx under the
 * same lock: what counts there is bids judged per second, not bids accepted.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createAccessTokens } from '../domain/accounts/access-tokens.ts';
import { loadConfig } from '../infra/config.ts';
import { benchDatabase, closedLoop, startApiProcess, summarize } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 64);
const MANY = 1_000;
/**
 * Each scenario bids on auctions of its own, numbered: pgbench on 1..MANY, `npm start` on the next
 * MANY, `start:api` on the next; then pgbench's hot auction and the service's.
 */
const SETS = { pgbench: 0, all: MANY, api: 2 * MANY } as const;
const HOT = { pgbench: 3 * MANY + 1, all: 3 * MANY + 2 } as const;
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';

const db = await benchDatabase('bids');
const sql = new pg.Pool({ connectionString: db.url, max: 5 });

// Ids derived from a number, so pgbench's script can name any of them with `\set n random(...)`
// (an md5 shaped as a version-4 UUID, which the API's response schema insists on).
await sql.query(`create function bench_id(t text) returns uuid immutable language sql
  as $$ select (substr(md5(t), 1, 12) || '4' || substr(md5(t), 14, 3) || '8' || substr(md5(t), 18))::uuid $$`);
const bidderSql = (n: string) => `bench_id('bidder' || ${n})`;
const auctionSql = (n: string) => `bench_id('auction' || ${n})`;

await sql.query(
  `insert into users (id, phone, password_hash, nickname)
   select ${bidderSql('n')}, '+8210' || lpad(n::text, 8, '0'), 'not-a-login', 'bench' || n from generate_series(0, $1) n`,
  [CLIENTS],
);
const sellerId = (await sql.query<{ id: string }>(`select ${bidderSql('0')} as id`)).rows[0]!.id;
await sql.query(
  `with l as (
     insert into listings (id, seller_id, category_id, title, description, sale_type, price)
     select ${auctionSql('n')}, $1, 1, '벤치 경매 ' || n, 'bench', 'auction', 10000 from generate_series(1, $2) n
     returning id)
   insert into auctions (id, listing_id, seller_id, status, start_price, current_price, starts_at, ends_at, original_ends_at)
   select id, id, $1, 'open', 10000, 10000, now(), now() + interval '1 day', now() + interval '1 day' from l`,
  [sellerId, HOT.all],
);
await sql.query('vacuum analyze');
const idsOf = async (from: number, to: number) =>
  (await sql.query<{ id: string }>(`select ${auctionSql('n')} as id from generate_series($1::int, $2::int) n`, [from, to])).rows.map((r) => r.id);
const manyAuctions = { all: await idsOf(SETS.all + 1, SETS.all + MANY), api: await idsOf(SETS.api + 1, SETS.api + MANY) };
const [hotAuction] = await idsOf(HOT.all, HOT.all);
const bidderIds = (await sql.query<{ id: string }>(`select ${bidderSql('n')} as id from generate_series(1, $1::int) n`, [CLIENTS])).rows.map((r) => r.id);

const config = loadConfig({ JWT_SECRET, NODE_ENV: 'production', METRICS_TOKEN: 'bench-metrics-token-0123' });
const tokens = createAccessTokens(config.jwt);
const bearer = bidderIds.map((userId) => `Bearer ${tokens.issue({ userId, role: 'user' })}`);

const apiEnv = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATABASE_URL: db.url,
  JWT_SECRET,
  METRICS_TOKEN: 'bench-metrics-token-0123',
  BID_RATE_LIMIT_PER_MIN: '1000000',
  REDIS_KEY_PREFIX: `gavel_bench_bids_${process.pid}`,
  // No SMS leaves the machine: outbid notices go to the log sender.
  SMS_SENDER: 'log',
  // BENCH_API_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the service's processes.
  ...(process.env.BENCH_API_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_API_NODE_OPTIONS } : {}),
};

/** The pgbench script: the five statements of a bid, prepared, one auction picked per transaction. */
function pgbenchScript(auctions: 'many' | 'hot') {
  const pick = auctions === 'many' ? `\\set n random(${SETS.pgbench + 1}, ${SETS.pgbench + MANY})` : `\\set n ${HOT.pgbench}`;
  return `${pick}
\\set b random(1, ${CLIENTS})
begin;
select current_price, event_seq from auctions where id = ${auctionSql(':n')} for update \\gset
insert into bids (id, auction_id, bidder_id, amount, kind) values (gen_random_uuid(), ${auctionSql(':n')}, ${bidderSql(':b')}, :current_price + 1000, 'bid');
insert into auction_events (auction_id, seq, type, payload) values (${auctionSql(':n')}, :event_seq + 1, 'bid', jsonb_build_object('currentPrice', :current_price + 1000));
update auctions set current_price = :current_price + 1000, leader_id = ${bidderSql(':b')}, bid_count = bid_count + 1, event_seq = :event_seq + 1 where id = ${auctionSql(':n')};
commit;
`;
}

async function pgbenchFloor(name: string, auctions: 'many' | 'hot') {
  const dir = await mkdtemp(join(tmpdir(), 'gavel-pgbench-'));
  try {
    const script = join(dir, 'bid.sql');
    await writeFile(script, pgbenchScript(auctions));
    const url = new URL(db.url);
    const { stdout } = await promisify(execFile)(
      'pgbench',
      ['-n', '-M', 'prepared', '-h', '127.0.0.1', '-p', url.port || '5432', '-U', url.username || 'postgres', '-c', String(CLIENTS), '-j', '2', '-T', String(SECONDS), '-f', script, url.pathname.slice(1)],
      { maxBuffer: 1 << 20 },
    );
    const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);
    const latency = Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]);
    const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
    if (!tps || failed) throw new Error(`pgbench: ${stdout}`);
    return { scenario: name, requests: Math.round(tps * SECONDS), accepted: Math.round(tps * SECONDS), 'accepted/s': Math.round(tps), 'requests/s': Math.round(tps), 'p50 ms': Number(latency.toFixed(2)), 'p99 ms': NaN, answers: 'latency: average' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each client bids the least it believes is enough, as a fast bidder would, on a keep-alive connection. */
async function httpScenario(name: string, entry: 'api' | 'all', auctionIds: string[]) {
  const api = await startApiProcess(apiEnv, entry);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const port = Number(new URL(api.baseUrl).port);
  const minimum = new Map(auctionIds.map((id) => [id, 10_000]));
  const answers = new Map<string, number>();
  const bid = (client: number) =>
    new Promise<boolean>((resolve, reject) => {
      const auctionId = auctionIds[Math.floor(Math.random() * auctionIds.length)]!;
      const body = JSON.stringify({ amount: minimum.get(auctionId)! });
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: `/v1/auctions/${auctionId}/bids`, agent, headers: { authorization: bearer[client]!, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            if (res.statusCode! >= 500) return reject(new Error(`server error ${text}`));
            const parsed = JSON.parse(text) as { auction?: { minimumBid: number }; minimumBid?: number };
            const next = parsed.auction?.minimumBid ?? parsed.minimumBid;
            if (next && next > minimum.get(auctionId)!) minimum.set(auctionId, next);
            const answer = res.statusCode === 201 ? '201' : `${res.statusCode} ${/"type":"[^"]*\/([^"/]+)"/.exec(text)?.[1] ?? ''}`;
            answers.set(answer, (answers.get(answer) ?? 0) + 1);
            resolve(res.statusCode === 201);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  try {
    await closedLoop(CLIENTS, 2, bid); // warm-up: JIT, pool, plans
    answers.clear();
    const samples = await closedLoop(CLIENTS, SECONDS, bid);
    return { ...summarize(name, samples, SECONDS), answers: [...answers].map(([a, n]) => `${a}: ${n}`).join(', ') };
  } finally {
    agent.destroy();
    await api.stop();
  }
}

try {
  const results = [
    await pgbenchFloor(`floor: pgbench, ${MANY} auctions`, 'many'),
    await httpScenario(`npm start: ${MANY} auctions`, 'all', manyAuctions.all),
    await httpScenario(`start:api: ${MANY} auctions`, 'api', manyAuctions.api),
    await pgbenchFloor('floor: pgbench, one hot auction', 'hot'),
    await httpScenario('npm start: one hot auction', 'all', [hotAuction!]),
  ];
  console.log(`\n${CLIENTS} clients, ${SECONDS} s per scenario, node ${process.version}\n`);
  console.table(results);
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(`${MANY} auctions, npm start: accepted/s is ${ratio(results[1]!['accepted/s'], results[0]!['accepted/s'])}x the pgbench floor (p99 ${results[1]!['p99 ms']} ms)`);
  console.log(`${MANY} auctions, start:api: accepted/s is ${ratio(results[2]!['accepted/s'], results[0]!['accepted/s'])}x the pgbench floor (p99 ${results[2]!['p99 ms']} ms)`);
  console.log(`one hot auction, npm start: bids judged/s is ${ratio(results[4]!['requests/s'], results[3]!['requests/s'])}x the pgbench floor`);
} finally {
  await sql.end();
  await db.drop();
}
