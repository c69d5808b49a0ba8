/**
 * Bid throughput and latency through the HTTP API (one API process, as `npm run start:api` runs
 * it), beside the floor: the same row lock, insert and update with plain `pg`, no HTTP, no ORM.
 *
 *   npm run bench:bids            (BENCH_SECONDS=10 BENCH_CLIENTS=50 by default)
 */
import pg from 'pg';
import { createAccessTokens } from '../domain/accounts/access-tokens.ts';
import { loadConfig } from '../infra/config.ts';
import { benchDatabase, closedLoop, seedAuctions, startApiProcess, summarize } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const MANY = 1_000;
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';

const db = await benchDatabase('bids');
const sql = new pg.Pool({ connectionString: db.url, max: 20 });

async function seedUsers(count: number): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into users (id, phone, password_hash, nickname)
     select gen_random_uuid(), '+8210' || lpad(n::text, 8, '0'), 'not-a-login', 'bench' || n
     from generate_series(1, $1) n returning id`,
    [count],
  );
  return rows.map((r) => r.id);
}


const [sellerId, ...bidderIds] = await seedUsers(CLIENTS + 1);
const config = loadConfig({ JWT_SECRET, NODE_ENV: 'production', METRICS_TOKEN: 'bench-metrics-token-0123' });
const tokens = createAccessTokens(config.jwt);
const bearer = bidderIds.map((userId) => `Bearer ${tokens.issue({ userId, role: 'user' })}`);

const api = await startApiProcess({
  NODE_ENV: 'production',
  DATABASE_URL: db.url,
  JWT_SECRET,
  METRICS_TOKEN: 'bench-metrics-token-0123',
  BID_RATE_LIMIT_PER_MIN: '1000000',
  REDIS_KEY_PREFIX: `gavel_bench_${process.pid}`,
  DATABASE_POOL_MAX: '20',
});

/** Each client bids the least it believes is enough, as a fast bidder would. */
async function httpScenario(name: string, auctionIds: string[]) {
  const minimum = new Map(auctionIds.map((id) => [id, 10_000]));
  const samples = await closedLoop(CLIENTS, SECONDS, async (client) => {
    const auctionId = auctionIds[Math.floor(Math.random() * auctionIds.length)]!;
    const response = await fetch(`${api.baseUrl}/v1/auctions/${auctionId}/bids`, {
      method: 'POST',
      headers: { authorization: bearer[client]!, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: minimum.get(auctionId)! }),
    });
    const body = (await response.json()) as { auction?: { minimumBid: number }; minimumBid?: number; status?: number };
    if (response.status >= 500) throw new Error(`server error ${JSON.stringify(body)}`);
    const next = body.auction?.minimumBid ?? body.minimumBid;
    if (next && next > minimum.get(auctionId)!) minimum.set(auctionId, next);
    return response.status === 201;
  });
  return summarize(name, samples, SECONDS);
}

/** The floor: lock, insert the bid and the event, update the auction; nothing else. */
async function rawScenario(name: string, auctionIds: string[]) {
  const samples = await closedLoop(CLIENTS, SECONDS, async (client) => {
    const auctionId = auctionIds[Math.floor(Math.random() * auctionIds.length)]!;
    const connection = await sql.connect();
    try {
      await connection.query('begin');
      const { rows } = await connection.query<{ current_price: string; event_seq: string }>(
        'select current_price, event_seq from auctions where id = $1 for update',
        [auctionId],
      );
      const price = Number(rows[0]!.current_price) + 1_000;
      const seq = Number(rows[0]!.event_seq) + 1;
      await connection.query(
        `insert into bids (id, auction_id, bidder_id, amount, kind) values (gen_random_uuid(), $1, $2, $3, 'bid')`,
        [auctionId, bidderIds[client], price],
      );
      await connection.query(
        `insert into auction_events (auction_id, seq, type, payload) values ($1, $2, 'bid', jsonb_build_object('currentPrice', $3::bigint))`,
        [auctionId, seq, price],
      );
      await connection.query(
        'update auctions set current_price = $2, leader_id = $3, bid_count = bid_count + 1, event_seq = $4 where id = $1',
        [auctionId, price, bidderIds[client], seq],
      );
      await connection.query('commit');
      return true;
    } catch (error) {
      await connection.query('rollback');
      throw error;
    } finally {
      connection.release();
    }
  });
  return summarize(name, samples, SECONDS);
}

try {
  const results = [
    await httpScenario('HTTP: one hot auction', await seedAuctions(sql, sellerId!, 1)),
    await rawScenario('raw pg: one hot auction', await seedAuctions(sql, sellerId!, 1)),
    await httpScenario(`HTTP: ${MANY} auctions`, await seedAuctions(sql, sellerId!, MANY)),
    await rawScenario(`raw pg: ${MANY} auctions`, await seedAuctions(sql, sellerId!, MANY)),
  ];
  console.log(`\n${CLIENTS} concurrent clients, ${SECONDS} s per scenario, node ${process.version}\n`);
  console.table(results);
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  // On one hot auction most HTTP bids lose the race (their price went stale in flight) and are
  // rejected under the same lock, so the lock's throughput is requests/s there, not accepted/s.
  console.log(`hot auction: HTTP requests/s through the lock is ${ratio(results[0]!['requests/s'], results[1]!['requests/s'])}x the raw floor`);
  console.log(`${MANY} auctions: HTTP accepted/s is ${ratio(results[2]!['accepted/s'], results[3]!['accepted/s'])}x the raw floor`);
} finally {
  await api.stop();
  await sql.end();
  await db.drop();
}
