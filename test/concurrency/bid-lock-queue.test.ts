import test from 'ava';
import pg from 'pg';
import { createKeyedGate } from '../../infra/keyed-gate.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { sql as sqlOf } from '../support/workers.ts';
import { openAuction } from '../support/listings.ts';

/**
 * BID_LOCK_QUEUE: an API process lets at most that many bids per auction go for its row lock at
 * once; the rest wait their turn in the process, holding no pooled connection, and are all
 * judged once the lock is free.
 */
let app: TestApi;
test.before(async () => {
  app = await startTestApi('bid_lock_queue', { BID_RATE_LIMIT_PER_MIN: '10000', DATABASE_POOL_MAX: '20', BID_LOCK_QUEUE: '2' });
});
test.after.always(async () => {
  await app?.close();
});

const sql = <Row = any>(text: string, params: unknown[] = []) => sqlOf<Row>(app, text, params);

test('20 bids on a locked auction: 2 wait in PostgreSQL, the rest in the process; all are judged once it is free', async (t) => {
  const { auctionId, bidders } = await openAuction(app, { bidders: 20 });
  const holder = new pg.Client({ connectionString: app.db.url });
  await holder.connect();
  await holder.query('begin');
  await holder.query('select 1 from auctions where id = $1 for update', [auctionId]);
  const bids = bidders.map((bidder, i) => app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount: 10_000 + i * 1_000 } }));
  // Give every request time to reach the lock if it were let through.
  await new Promise((r) => setTimeout(r, 1500));
  const [{ waiting }] = await sql(
    `select count(*)::int as waiting from pg_stat_activity
     where datname = current_database() and pid <> ? and wait_event_type = 'Lock'`,
    [(await holder.query('select pg_backend_pid() as pid')).rows[0].pid],
  );
  t.is(waiting, 2, 'lock waiters in PostgreSQL');
  await holder.query('commit');
  await holder.end();
  const answers = await Promise.all(bids);
  t.true(answers.every((a) => a.status === 201 || a.status === 422), answers.map((a) => a.status).join(' '));
  t.true(answers.some((a) => a.status === 201));
});

test('the gate lets `limit` through per key, in arrival order, and other keys are not held up', async (t) => {
  const gate = createKeyedGate(2);
  const order: string[] = [];
  let inside = 0;
  let most = 0;
  const hold = (key: string, name: string, ms: number) =>
    gate.run(key, async () => {
      inside += key === 'a' ? 1 : 0;
      most = Math.max(most, inside);
      order.push(name);
      await new Promise((r) => setTimeout(r, ms));
      inside -= key === 'a' ? 1 : 0;
    });
  await Promise.all([hold('a', 'a1', 50), hold('a', 'a2', 50), hold('a', 'a3', 10), hold('a', 'a4', 10), hold('b', 'b1', 1)]);
  t.is(most, 2);
  t.deepEqual(order.filter((n) => n.startsWith('a')), ['a1', 'a2', 'a3', 'a4']);
  t.true(order.indexOf('b1') < order.indexOf('a3'), 'b is not queued behind a');
});
