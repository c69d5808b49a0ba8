import test from 'ava';
import type { AddressInfo } from 'node:net';
import { createMetrics } from '../../infra/metrics.ts';
import { startMetricsServer } from '../../workers/metrics-server.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

/** With METRICS_TOKEN set, /metrics answers only that bearer token: on the API and on a worker's listener. */
const TOKEN = 'scrape-token-for-tests-0123';
let app: TestApi;
test.before(async () => {
  app = await startTestApi('metrics_token', { METRICS_TOKEN: TOKEN });
});
test.after.always(async () => {
  await app?.close();
});

test('the API: no token, a wrong one, another scheme or an access token is a 401 problem; the token gets the metrics', async (t) => {
  const user = await app.signup();
  const refusals = {
    none: {},
    wrong: { authorization: `Bearer ${TOKEN}x` },
    prefix: { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
    basic: { authorization: `Basic ${Buffer.from(`metrics:${TOKEN}`).toString('base64')}` },
    bare: { authorization: TOKEN },
    accessToken: { authorization: `Bearer ${user.accessToken}` },
  };
  for (const [name, headers] of Object.entries(refusals)) {
    const res = await app.request('GET', '/metrics', { headers });
    t.is(res.status, 401, name);
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/, name);
    t.notRegex(typeof res.body === 'string' ? res.body : JSON.stringify(res.body), /gavel_http_request_duration_seconds/, name);
  }
  for (const path of ['/metrics', '/METRICS', '/metrics/']) t.is((await app.request('GET', path)).status, 401, path);
  const ok = await app.request('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  t.is(ok.status, 200);
  t.regex(ok.body, /^# TYPE gavel_http_request_duration_seconds /m);
  // The metrics token is no access token: other routes refuse it.
  t.is((await app.request('GET', '/v1/me', { headers: { authorization: `Bearer ${TOKEN}` } })).status, 401);
});

test('a worker\'s metrics listener asks for the same token', async (t) => {
  const server = await startMetricsServer(createMetrics(), 0, TOKEN);
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  t.is((await fetch(url)).status, 401);
  t.is((await fetch(url, { headers: { authorization: 'Bearer nope-nope-nope-nope' } })).status, 401);
  const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.is(ok.status, 200);
  t.regex(await ok.text(), /process_cpu_seconds_total/);
});
