import test from 'ava';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from '../../domain/shared/ids.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { createTestAuction } from '../support/listings.ts';
import { killWorkerProcesses, spawnWorkerProcess, stopWorkerProcess } from '../support/worker-process.ts';
import { recordingSms, sql, startInProcessWorkers, waitFor } from '../support/workers.ts';

// The scrape-time gauges (infra/scrape-gauges.ts): request pool, queues, outbox; and job wait.
let app: TestApi;
test.before(async () => {
  app = await startTestApi('metricsbacklog');
});
test.after.always(async () => {
  await killWorkerProcesses();
  await app?.close();
});

const scrape = async (target: TestApi = app) => (await target.request('GET', '/metrics')).body as string;

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/** The value of the sample `name` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test.serial('the request pool: size, open and idle connections, and queries waiting for one', async (t) => {
  const own = await startTestApi('metricspool', { DATABASE_POOL_MAX: '2', DATABASE_ACQUIRE_TIMEOUT_MS: '10000' }, { ownPool: true });
  t.teardown(() => own.close());
  const pool = await own.deps.orm.em.getConnection().getNativeClient();
  const held = [await pool.connect(), await pool.connect()];
  const queued = pool.query('select 1');
  try {
    const text = await scrape(own);
    t.is(sample(text, 'gavel_db_pool_max_connections'), 2);
    t.is(sample(text, 'gavel_db_pool_connections'), 2);
    t.is(sample(text, 'gavel_db_pool_idle_connections'), 0);
    t.is(sample(text, 'gavel_db_pool_waiting'), 1);
  } finally {
    for (const client of held) client.release();
    await queued;
  }
  const after = await scrape(own);
  t.is(sample(after, 'gavel_db_pool_waiting'), 0);
});

test.serial('a worker records how long each job waited from its due time to its start', async (t) => {
  const workers = await startInProcessWorkers(app, recordingSms());
  t.teardown(() => workers.close());
  const count = async () => sample(await workers.metrics.registry.metrics(), 'gavel_job_wait_seconds_count', { queue: 'media' }) ?? 0;
  const before = await count();
  await workers.jobs.enqueue('delete-objects', { keys: [] }, { delayMs: 2600 });
  await waitFor('the job to start', async () => (await count()) > before, 15_000);
  const text = await workers.metrics.registry.metrics();
  // Waited from its due time (2.6 s after it was added), not from when it was added.
  t.is(sample(text, 'gavel_job_wait_seconds_bucket', { queue: 'media', le: '2.5' }), 1);
});

test.serial('each queue reports its waiting and delayed jobs and how long the oldest waiting one has waited', async (t) => {
  const before = await scrape();
  t.is(sample(before, 'gavel_queue_oldest_waiting_age_seconds', { queue: 'media' }), 0);
  // No worker serves this app's queues: the job waits.
  await app.deps.jobs.enqueue('delete-objects', { keys: [] });
  await app.deps.jobs.enqueue('delete-objects', { keys: [] }, { delayMs: 3_600_000 });
  await sleep(1100);
  const text = await scrape();
  t.true(sample(text, 'gavel_queue_jobs', { queue: 'media', state: 'waiting' })! >= 1);
  t.true(sample(text, 'gavel_queue_jobs', { queue: 'media', state: 'delayed' })! >= 1);
  const age = sample(text, 'gavel_queue_oldest_waiting_age_seconds', { queue: 'media' })!;
  t.true(age >= 1 && age < 60, `age ${age}`);
  t.is(sample(text, 'gavel_queue_oldest_waiting_age_seconds', { queue: 'auctions' }), 0);
});

test.serial('the outbox backlog: unpublished auction and user events and jobs not yet enqueued, with the oldest age', async (t) => {
  const seller = await app.signup();
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) });
  const before = await scrape();
  const backlog = (text: string, outbox: string) => sample(text, 'gavel_outbox_backlog', { outbox })!;
  // Rows a crashed process left behind, written two minutes ago.
  await sql(app, `insert into auction_events (auction_id, seq, type, payload, created_at) values (?, 1000, 'bid', '{}', now() - interval '120 seconds')`, [auctionId]);
  await sql(app, `insert into user_event_counters (user_id, last_seq) values (?, 1000) on conflict (user_id) do nothing`, [seller.id]);
  await sql(app, `insert into user_events (user_id, seq, type, created_at) values (?, 1000, 'notification', now() - interval '120 seconds')`, [seller.id]);
  await sql(app, `insert into job_outbox (id, name, payload, job_id, created_at) values (?, 'sweep', '{}', ?, now() - interval '120 seconds')`, [newId(), `metrics-test-${newId()}`]);
  const after = await scrape();
  for (const outbox of ['auction_events', 'user_events', 'job_outbox']) {
    t.is(backlog(after, outbox) - backlog(before, outbox), 1, outbox);
    const age = sample(after, 'gavel_outbox_oldest_age_seconds', { outbox })!;
    t.true(age >= 119 && age < 600, `${outbox} age ${age}`);
  }
});


test.serial('a worker process\'s own metrics listener reads the same gauges at scrape time', async (t) => {
  const port = await freePort();
  const worker = spawnWorkerProcess(app, { WORKER_METRICS_PORT: String(port), DATABASE_POOL_MAX: '3' });
  t.teardown(() => stopWorkerProcess(worker));
  const text = await waitFor('the worker\'s metrics listener', () => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => null), 30_000, 200);
  t.is(sample(text, 'gavel_db_pool_max_connections'), 3);
  t.not(sample(text, 'gavel_outbox_backlog', { outbox: 'job_outbox' }), undefined);
  t.not(sample(text, 'gavel_queue_oldest_waiting_age_seconds', { queue: 'notifications' }), undefined);
  t.not(sample(text, 'gavel_queue_jobs', { queue: 'auctions', state: 'delayed' }), undefined);
});
