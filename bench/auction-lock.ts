/**
 * The bid path's row lock: today's raw `select a.*, clock_timestamp() ... for update` (AuctionRepository.lockForChange)
 * against MikroORM's `findOne(Auction, id, { lockMode: LockMode.PESSIMISTIC_WRITE })`, which needs
 * the database clock from somewhere else: a second `select clock_timestamp()` round trip, or a
 * formula property on the entity (`clock_timestamp()`, lazy, populated by the lock).
 *
 * Every iteration is a short transaction through MikroORM, as a request would run it: fork an
 * EntityManager, `em.transactional`, lock, `update auctions set updated_at = now()`, commit. Only the
 * lock differs between variants. 1,000 auctions with clients picking at random, then one hot auction;
 * within each scenario the variants alternate (raw, orm, formula, raw, orm, formula, ...) so drift
 * shows, with a plain VACUUM of auctions between phases so no phase inherits another's dead rows.
 * All variants share one ORM and its pool, opened during the warm-up, so every phase runs on the
 * same 32 warm connections and none is timed opening one.
 *
 *   npm run bench:lock            (BENCH_SECONDS=5 BENCH_CLIENTS=32 BENCH_ROUNDS=3 by default)
 */
import { LockMode, defineEntity, p } from '@mikro-orm/core';
import pg from 'pg';
import { Auction } from '../domain/auctions/auction.entity.ts';
import { AuctionRepository, type LockedAuction } from '../domain/auctions/auction-repository.ts';
import { createOrm, type EntityManager } from '../infra/database.ts';
import { benchDatabase, closedLoop, percentile, seedAuctions } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = Math.min(1, SECONDS);
const MANY = 1_000;
const COUNTED_TRANSACTIONS = 100;

/**
 * The formula variant's entity: the real Auction's properties plus the database clock, selected in
 * the locking statement only when populated. Bench-only, mapped beside Auction on the same table,
 * which MikroORM allows once its duplicate-table check (a guard against mapping mistakes) is off.
 */
const AuctionWithClock = defineEntity({
  name: 'AuctionWithClock',
  tableName: 'auctions',
  properties: { ...Auction.properties, dbNow: p.datetime().formula('clock_timestamp()').lazy().persist(false) },
});

const db = await benchDatabase('auction_lock');
const sql = new pg.Pool({ connectionString: db.url, max: 1 });
// As many connections as clients, so no transaction ever waits for one.
const orm = await createOrm(db.url, { poolMax: CLIENTS });
orm.config.get('discovery').checkDuplicateTableNames = false;
orm.discoverEntity(AuctionWithClock);

type Lock = (tx: EntityManager, auctionId: string) => Promise<LockedAuction | null>;

interface Variant {
  name: string;
  lock: Lock;
}

const fromEntity = (a: Auction, now: Date): LockedAuction => ({
  state: {
    id: a.id,
    sellerId: a.sellerId,
    status: a.status,
    outcome: a.outcome ?? null,
    startPrice: a.startPrice,
    currentPrice: a.currentPrice,
    leaderId: a.leaderId ?? null,
    leaderMaxAmount: a.leaderMaxAmount ?? null,
    bidCount: a.bidCount,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    originalEndsAt: a.originalEndsAt,
    buyNowPrice: a.buyNowPrice ?? null,
    reservePrice: a.reservePrice ?? null,
  },
  listingId: a.listingId,
  eventSeq: a.eventSeq,
  now,
});

const variants: Variant[] = [
  // Today's code, imported as is.
  { name: 'raw', lock: (tx, auctionId) => new AuctionRepository(tx).lockForChange(auctionId) },
  {
    name: 'orm + clock query',
    async lock(tx, auctionId) {
      const auction = await tx.findOne(Auction, auctionId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!auction) return null;
      const [clock] = await tx.execute<{ db_now: string }[]>('select clock_timestamp() as db_now');
      return fromEntity(auction, new Date(clock!.db_now));
    },
  },
  {
    name: 'orm + formula',
    async lock(tx, auctionId) {
      const auction = await tx.findOne(AuctionWithClock, auctionId, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['dbNow'] });
      return auction ? fromEntity(auction, auction.dbNow) : null;
    },
  },
];

/** One realistic short transaction: begin, lock, a small update of the row, commit. */
async function transaction(variant: Variant, auctionId: string): Promise<void> {
  const em = orm.em.fork();
  await em.transactional(async (tx) => {
    const locked = await variant.lock(tx, auctionId);
    if (!locked || Number.isNaN(locked.now.getTime())) throw new Error(`${variant.name}: no lock or no clock for ${auctionId}`);
    await tx.execute('update auctions set updated_at = now() where id = ?', [auctionId]);
  });
}

async function seed(count: number): Promise<string[]> {
  const {
    rows: [seller],
  } = await sql.query<{ id: string }>(
    `insert into users (id, phone, password_hash, nickname)
     values (gen_random_uuid(), '+8210' || lpad((floor(random() * 1e8))::int::text, 8, '0'), 'not-a-login', 'bench') returning id`,
  );
  return seedAuctions(sql, seller!.id, count);
}

const pick = (ids: readonly string[]) => ids[Math.floor(Math.random() * ids.length)]!;

/**
 * Round trips per transaction, counted where they leave the process: every `query` call on a `pg`
 * client (MikroORM's pool is a `pg` Pool; each call is one request and one wait for its answer).
 * Counted in a pass of its own, one client, so the wrapper costs the timed phases nothing.
 */
async function countStatements(variant: Variant, auctionIds: readonly string[]): Promise<{ perTransaction: number; oneTransaction: string[] }> {
  const original = pg.Client.prototype.query;
  const seen: string[] = [];
  const counting = function (this: pg.Client, ...args: unknown[]) {
    const query = args[0] as string | { text?: string };
    seen.push(typeof query === 'string' ? query : (query.text ?? String(query)));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  pg.Client.prototype.query = counting as typeof original;
  try {
    for (let i = 0; i < COUNTED_TRANSACTIONS; i++) await transaction(variant, pick(auctionIds));
  } finally {
    pg.Client.prototype.query = original;
  }
  const perTransaction = seen.length / COUNTED_TRANSACTIONS;
  const oneTransaction = seen.slice(0, Math.round(perTransaction)).map((s) => s.replace(/'[0-9a-f-]{36}'/g, "'<id>'"));
  return { perTransaction, oneTransaction };
}

interface Phase {
  scenario: string;
  round: number;
  variant: string;
  transactions: number;
  'tx/s': number;
  'p50 ms': number;
  'p99 ms': number;
  'node CPU µs/tx': number;
}

/**
 * Runs transactions in a closed loop. A failed transaction does not stop the others mid-flight
 * (closing the pool under them would hang): every loop runs to the deadline, then the phase fails.
 */
async function timed(variant: Variant, auctionIds: readonly string[], seconds: number) {
  const errors: unknown[] = [];
  const samples = await closedLoop(CLIENTS, seconds, async () => {
    try {
      await transaction(variant, pick(auctionIds));
      return true;
    } catch (error) {
      errors.push(error);
      return false;
    }
  });
  if (errors.length) throw new Error(`${variant.name}: ${errors.length} of ${samples.length} transactions failed`, { cause: errors[0] });
  return samples;
}

async function phase(scenario: string, round: number, variant: Variant, auctionIds: readonly string[], seconds: number): Promise<Phase> {
  await sql.query('vacuum auctions');
  const started = performance.now();
  const cpu = process.cpuUsage();
  const samples = await timed(variant, auctionIds, seconds);
  const { user, system } = process.cpuUsage(cpu);
  const elapsed = (performance.now() - started) / 1000;
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    scenario,
    round,
    variant: variant.name,
    transactions: samples.length,
    'tx/s': Math.round(samples.length / elapsed),
    'p50 ms': Number(percentile(ms, 50).toFixed(2)),
    'p99 ms': Number(percentile(ms, 99).toFixed(2)),
    'node CPU µs/tx': Math.round((user + system) / samples.length),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

try {
  const many = await seed(MANY);
  const [hot] = await seed(1);
  const { rows: [server] } = await sql.query<{ server_version: string }>('show server_version');

  const counts = new Map<string, Awaited<ReturnType<typeof countStatements>>>();
  for (const variant of variants) counts.set(variant.name, await countStatements(variant, many));

  // JIT, the pool's connections and MikroORM's per-entity caches warm for every variant before anything is timed.
  for (const variant of variants) await timed(variant, many, WARMUP_SECONDS);

  const phases: Phase[] = [];
  for (const [scenario, ids] of [[`${MANY} auctions`, many], ['one hot auction', [hot!]]] as const) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const variant of variants) {
        const result = await phase(scenario, round, variant, ids, SECONDS);
        console.error(`${result.scenario} round ${round} ${result.variant}: ${result['tx/s']} tx/s, p99 ${result['p99 ms']} ms`);
        phases.push(result);
      }
    }
  }

  console.log(`\n${new Date().toUTCString()}`);
  console.log(`${CLIENTS} concurrent clients, ${SECONDS} s per phase, ${ROUNDS} rounds, node ${process.version}, PostgreSQL ${server!.server_version}\n`);
  console.log(`round trips per transaction (pg client query calls, mean over ${COUNTED_TRANSACTIONS} transactions):`);
  for (const [name, count] of counts) {
    console.log(`  ${name}: ${count.perTransaction}`);
    for (const statement of count.oneTransaction) console.log(`      ${statement}`);
  }
  console.log('\nevery phase, in the order run:');
  console.table(phases);

  const summary = [];
  for (const scenario of [...new Set(phases.map((p) => p.scenario))]) {
    const of = (variant: string) => phases.filter((p) => p.scenario === scenario && p.variant === variant);
    const raw = of('raw');
    for (const variant of variants) {
      const mine = of(variant.name);
      summary.push({
        scenario,
        variant: variant.name,
        'round trips/tx': counts.get(variant.name)!.perTransaction,
        'tx/s': Math.round(mean(mine.map((p) => p['tx/s']))),
        'p50 ms': Number(mean(mine.map((p) => p['p50 ms'])).toFixed(2)),
        'p99 ms': Number(mean(mine.map((p) => p['p99 ms'])).toFixed(2)),
        'node CPU µs/tx': Math.round(mean(mine.map((p) => p['node CPU µs/tx']))),
        // Each round's ratio against raw in the same round, so drift between rounds cannot pass for a difference.
        'tx/s vs raw, per round': mine.map((p, i) => (p['tx/s'] / raw[i]!['tx/s']).toFixed(2)).join(' '),
        'p99 vs raw, per round': mine.map((p, i) => (p['p99 ms'] / raw[i]!['p99 ms']).toFixed(2)).join(' '),
      });
    }
  }
  console.log('\nmean over rounds; ratios are orm/raw within the same round:');
  console.table(summary);
} finally {
  await orm.close();
  await sql.end();
  await db.drop();
}
