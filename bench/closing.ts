/**
 * Close lateness: 10,000 auctions ending across one minute, closed by two worker processes
 * (`npm run start:worker`), lateness = commit of the close minus `endsAt`; beside the floor, the
 * same number of bare BullMQ delayed jobs with an empty processor on two workers, same spread.
 *
 *   npm run bench:closing    (BENCH_AUCTIONS=10000 BENCH_WINDOW_S=60)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import pg from 'pg';
import { loadConfig } from '../infra/config.ts';
import { bullPrefix, createJobQueues } from '../infra/job-queues.ts';
import { createRedis } from '../infra/redis.ts';
import { jobIds } from '../domain/follow-ups/job-contract.ts';
import { benchDatabase, percentile } from './support.ts';

const AUCTIONS = Number(process.env.BENCH_AUCTIONS ?? 10_000);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 60);
const LEAD_S = 15;
const PREFIX = `gavel_bench_closing_${randomBytes(3).toString('hex')}`;
const config = loadConfig({ NODE_ENV: 'development', REDIS_KEY_PREFIX: PREFIX });

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n);
  return { closed: sorted.length, 'p50 ms': r(percentile(sorted, 50)), 'p99 ms': r(percentile(sorted, 99)), 'max ms': r(sorted.at(-1) ?? NaN) };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The floor: delayed jobs with nothing to do, spread the same way, on two workers. */
async function bareBullmq(): Promise<ReturnType<typeof stats>> {
  const connection = createRedis(config.redisUrl, 'queue');
  const prefix = `${PREFIX}:bare`;
  const queue = new Queue('bare', { connection, prefix });
  const lateness: number[] = [];
  const workerConnections = [1, 2].map(() => createRedis(config.redisUrl, 'queue'));
  const workers = workerConnections.map(
    (workerConnection) =>
      new Worker('bare', async (job) => void lateness.push(Date.now() - job.data.due), {
        connection: workerConnection,
        prefix,
        concurrency: config.workers.concurrency,
      }),
  );
  const start = Date.now() + LEAD_S * 1000;
  await queue.addBulk(
    Array.from({ length: AUCTIONS }, (_, i) => {
      const due = start + Math.floor((i / AUCTIONS) * WINDOW_S * 1000);
      return { name: 'noop', data: { due }, opts: { delay: due - Date.now(), removeOnComplete: true } };
    }),
  );
  const deadline = start + (WINDOW_S + 60) * 1000;
  while (lateness.length < AUCTIONS && Date.now() < deadline) await sleep(500);
  await Promise.all(workers.map((w) => w.close()));
  await queue.obliterate({ force: true });
  await queue.close();
  // BullMQ leaves connections it was given open; they would keep the process alive.
  for (const c of [connection, ...workerConnections]) c.disconnect();
  return stats(lateness);
}

async function startWorkerProcess(databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../main/worker.ts', import.meta.url))], {
    env: { ...process.env, NODE_ENV: 'production', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123', METRICS_TOKEN: 'bench-metrics-token-0123', DATABASE_URL: databaseUrl, REDIS_KEY_PREFIX: PREFIX, SMS_SENDER: 'log', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await sleep(3000);
  if (child.exitCode !== null) throw new Error('worker process exited at start');
  return child;
}

/** gavel: auctions half with a winning bid, closed and settled by two `npm run start:worker` processes. */
async function gavelClosing(): Promise<ReturnType<typeof stats> & { settled: number }> {
  const db = await benchDatabase('closing');
  const sql = new pg.Pool({ connectionString: db.url, max: 4 });
  const workers: ChildProcess[] = [];
  const jobs = createJobQueues(config.redisUrl, PREFIX);
  try {
    const { rows: users } = await sql.query<{ id: string }>(
      `insert into users (id, phone, password_hash, nickname) select gen_random_uuid(), '+8210' || lpad(n::text, 8, '0'), 'x', 'bench' || n
       from generate_series(1, 2) n returning id`,
    );
    const [seller, bidder] = users.map((u) => u.id);
    const { rows: auctions } = await sql.query<{ id: string; ends_at: Date }>(
      `with l as (
         insert into listings (id, seller_id, category_id, title, description, sale_type, price)
         select gen_random_uuid(), $1, 1, '마감 벤치 ' || n, 'bench', 'auction', 10000 from generate_series(1, $3) n returning id),
       numbered as (select id, row_number() over () - 1 as i from l)
       insert into auctions (id, listing_id, seller_id, status, start_price, current_price, leader_id, leader_max_amount, bid_count, starts_at, ends_at, original_ends_at)
       select gen_random_uuid(), numbered.id, $1, 'open', 10000, 10000,
              case when i % 2 = 0 then $2::uuid end, case when i % 2 = 0 then 10000 end, case when i % 2 = 0 then 1 else 0 end,
              now(), t.ends_at, t.ends_at
       from numbered, lateral (select now() + make_interval(secs => $4 + (i::float / $3) * $5) as ends_at) t
       returning id, ends_at`,
      [seller, bidder, AUCTIONS, LEAD_S + 5, WINDOW_S],
    );
    workers.push(await startWorkerProcess(db.url), await startWorkerProcess(db.url));
    // The same producer call the API makes when an auction is created.
    for (let i = 0; i < auctions.length; i += 500) {
      await Promise.all(
        auctions.slice(i, i + 500).map((a) =>
          jobs.enqueue('close-auction', { auctionId: a.id, endsAt: a.ends_at.toISOString() }, { jobId: jobIds.closeAuction(a.id, a.ends_at), delayMs: a.ends_at.getTime() - Date.now() }),
        ),
      );
    }
    const deadline = Date.now() + (LEAD_S + WINDOW_S + 90) * 1000;
    for (;;) {
      const { rows } = await sql.query<{ open: number }>(`select count(*)::int as open from auctions where status <> 'closed'`);
      if (rows[0]!.open === 0 || Date.now() > deadline) break;
      await sleep(1000);
    }
    const { rows: late } = await sql.query<{ ms: number }>(
      `select extract(epoch from (closed_at - ends_at)) * 1000 as ms from auctions where status = 'closed'`,
    );
    const { rows: trades } = await sql.query<{ n: number }>(`select count(*)::int as n from trades`);
    return { ...stats(late.map((r) => Number(r.ms))), settled: trades[0]!.n };
  } finally {
    for (const child of workers) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    const cleanup = createRedis(config.redisUrl, 'queue');
    const keys = await cleanup.keys(`${bullPrefix(PREFIX)}:*`);
    for (let i = 0; i < keys.length; i += 1000) await cleanup.del(...keys.slice(i, i + 1000));
    cleanup.disconnect();
    await jobs.close();
    await sql.end();
    await db.drop();
  }
}

const bare = await bareBullmq();
const gavel = await gavelClosing();
console.log(`\n${AUCTIONS} closes spread over ${WINDOW_S} s, 2 worker processes x concurrency ${config.workers.concurrency}, node ${process.version}\n`);
console.table({ 'bare BullMQ delayed job, empty processor': bare, 'gavel close + settlement (commit - endsAt)': gavel });
console.log(`auctions settled with a trade: ${gavel.settled} of ${AUCTIONS / 2} with a bid`);
