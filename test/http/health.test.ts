import test from 'ava';
import { listen } from '../../api/server.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('health');
});
test.after.always(async () => {
  await app?.close();
});

test('GET /health/live is 200', async (t) => {
  const res = await app.request('GET', '/health/live');
  t.is(res.status, 200);
  t.like(res.body, { status: 'ok' });
});

test('GET /health/ready is 200 with the database and Redis ok', async (t) => {
  const res = await app.request('GET', '/health/ready');
  t.is(res.status, 200);
  t.deepEqual(res.body, { status: 'ok', checks: { database: 'ok', redis: 'ok', process: 'ok' } });
});

test('HEAD works for the probes too', async (t) => {
  t.is((await fetch(`${app.baseUrl}/health/live`, { method: 'HEAD' })).status, 200);
  t.is((await fetch(`${app.baseUrl}/health/ready`, { method: 'HEAD' })).status, 200);
});

test('ready is a 503 problem while shutting down, and live stays 200', async (t) => {
  // A second instance over the same database and Redis, so the flag cannot reach other tests.
  const deps = { ...app.deps, lifecycle: { shuttingDown: false } };
  const second = await listen(deps, 0);
  t.teardown(() => second.close(100));
  const base = `http://127.0.0.1:${second.port}`;
  const before = await fetch(`${base}/health/ready`);
  t.is(before.status, 200, await before.text());

  deps.lifecycle.shuttingDown = true;
  const ready = await fetch(`${base}/health/ready`);
  t.is(ready.status, 503);
  t.regex(ready.headers.get('content-type') ?? '', /^application\/problem\+json/);
  t.like(await ready.json(), {
    type: 'https://gavel.dev/problems/not-ready',
    title: 'Service Unavailable',
    status: 503,
    checks: { database: 'ok', redis: 'ok', process: 'shutting_down' },
  });
  t.is((await fetch(`${base}/health/live`)).status, 200);
  // The first instance is untouched.
  t.is((await app.request('GET', '/health/ready')).status, 200);
});

test('closing the server marks it as shutting down and stops taking connections', async (t) => {
  const deps = { ...app.deps, lifecycle: { shuttingDown: false } };
  const third = await listen(deps, 0);
  const base = `http://127.0.0.1:${third.port}`;
  t.is((await fetch(`${base}/health/live`)).status, 200);
  await third.close(100);
  t.true(deps.lifecycle.shuttingDown);
  await t.throwsAsync(fetch(`${base}/health/live`));
});

test('ready is a 503 problem naming Redis when Redis does not answer', async (t) => {
  const noRedis = await startTestApi('health_noredis', { REDIS_URL: 'redis://127.0.0.1:1' });
  t.teardown(() => noRedis.close());
  const started = Date.now();
  const ready = await noRedis.request('GET', '/health/ready');
  t.is(ready.status, 503);
  t.regex(ready.headers.get('content-type') ?? '', /^application\/problem\+json/);
  t.like(ready.body, { status: 503, checks: { database: 'ok', redis: 'failed', process: 'ok' } });
  t.is(ready.body.requestId, ready.headers.get('x-request-id'));
  // Fails fast: a probe that hangs is as bad as one that lies.
  t.true(Date.now() - started < 3000);
  t.is((await noRedis.request('GET', '/health/live')).status, 200);
});
