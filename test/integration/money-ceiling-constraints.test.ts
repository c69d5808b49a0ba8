import test from 'ava';
import pg from 'pg';
import { MAX_PRICE } from '../../domain/shared/money.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/**
 * The database's half of the money ceiling (migration `Migration20261201020000_money_ceiling`):
 * every money column refuses one won above MAX_PRICE and takes MAX_PRICE itself, so the number
 * written in the migration is the one the rules and the schemas use. Also: a new bigint column
 * must say whether it is money, so none is added without its ceiling.
 */
let db: TestDatabase;
let client: pg.Client;
const ids: Record<string, string> = {};

/** Every bigint column that holds money, by table. */
const MONEY_COLUMNS = [
  ['listings', 'price'],
  ['auctions', 'start_price'],
  ['auctions', 'current_price'],
  ['auctions', 'leader_max_amount'],
  ['auctions', 'buy_now_price'],
  ['auctions', 'reserve_price'],
  ['bids', 'amount'],
  ['bids', 'max_amount'],
  ['trades', 'price'],
  ['offers', 'amount'],
  ['offers', 'counter_amount'],
] as const;

/** Bigint columns that count or measure something other than money. */
const NOT_MONEY = ['auction_events.seq', 'auctions.event_seq', 'bids.seq', 'uploads.declared_size', 'uploads.received_size', 'user_event_counters.last_seq', 'user_events.seq'];

test.before(async () => {
  db = await createTestDatabase('moneyconstraints');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const one = async (sql: string, params: unknown[]) => (await client.query<{ id: string }>(sql, params)).rows[0]!.id;
  const user = (n: number) => one(`insert into users (id, phone, password_hash, nickname) values (gen_random_uuid(), $1, 'x', $2) returning id`, [`+82100000${n}000`, `u${n}`]);
  const [seller, buyer] = [await user(1), await user(2)];
  ids.listings = await one(`insert into listings (id, seller_id, category_id, title, description, sale_type, price) values (gen_random_uuid(), $1, 1, 't', '', 'auction', 1000) returning id`, [seller]);
  ids.auctions = await one(
    `insert into auctions (id, listing_id, seller_id, status, start_price, current_price, starts_at, ends_at, original_ends_at)
     values (gen_random_uuid(), $1, $2, 'open', 1000, 1000, now(), now() + interval '1 hour', now() + interval '1 hour') returning id`,
    [ids.listings, seller],
  );
  ids.bids = await one(`insert into bids (id, auction_id, bidder_id, amount, kind) values (gen_random_uuid(), $1, $2, 1000, 'bid') returning id`, [ids.auctions, buyer]);
  ids.trades = await one(`insert into trades (id, listing_id, seller_id, buyer_id, price, kind, title) values (gen_random_uuid(), $1, $2, $3, 1000, 'auction', 't') returning id`, [ids.listings, seller, buyer]);
  ids.offers = await one(
    `insert into offers (id, kind, listing_id, auction_id, seller_id, buyer_id, amount, expires_at)
     values (gen_random_uuid(), 'second_chance', $1, $2, $3, $4, 1000, now() + interval '1 hour') returning id`,
    [ids.listings, ids.auctions, seller, buyer],
  );
});
test.after.always(async () => {
  await client?.end();
  await db?.drop();
});

/** Sets one column of the table's row to `value` in a transaction that is always rolled back. */
async function tryWrite(table: string, column: string, value: number): Promise<{ code?: string; constraint?: string } | null> {
  await client.query('begin');
  try {
    await client.query(`update ${table} set ${column} = $1 where id = $2`, [value, ids[table]]);
    return null;
  } catch (error) {
    return error as { code?: string; constraint?: string };
  } finally {
    await client.query('rollback');
  }
}

for (const [table, column] of MONEY_COLUMNS) {
  test.serial(`${table}.${column} takes MAX_PRICE and refuses one won more`, async (t) => {
    t.is(await tryWrite(table, column, MAX_PRICE), null);
    const refused = await tryWrite(table, column, MAX_PRICE + 1);
    t.is(refused?.code, '23514', 'a check violation');
    t.is(refused?.constraint, `${table}_${column}_ceiling`);
  });
}

test.serial('every bigint column is either money with its ceiling or named here as something else', async (t) => {
  const { rows } = await client.query<{ name: string }>(
    `select table_name || '.' || column_name as name from information_schema.columns
     where table_schema = 'public' and data_type = 'bigint' and table_name not like 'mikro_orm%'`,
  );
  const known = [...MONEY_COLUMNS.map(([table, column]) => `${table}.${column}`), ...NOT_MONEY].sort();
  t.deepEqual(rows.map((row) => row.name).sort(), known, 'a new money column needs a ceiling check (and a line in MONEY_COLUMNS)');
});
