import test from 'ava';
import { loadConfig } from '../../infra/config.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { openAuction } from '../support/listings.ts';
import { TEST_JWT_SECRET } from '../support/secrets.ts';

/** CORS_ORIGINS: the listed browser origins get CORS headers (preflights, streams), others none. */
const SHOP = 'https://shop.example';
const DEV = 'http://localhost:5173';
let app: TestApi;
test.before(async () => {
  app = await startTestApi('cors', { CORS_ORIGINS: `${SHOP}, ${DEV}` });
});
test.after.always(async () => {
  await app?.close();
});

test('a preflight from a listed origin is answered with the allowed methods and headers', async (t) => {
  const res = await fetch(`${app.baseUrl}/v1/listings`, {
    method: 'OPTIONS',
    headers: { Origin: DEV, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key' },
  });
  t.is(res.status, 204);
  t.is(res.headers.get('access-control-allow-origin'), DEV);
  t.regex(res.headers.get('access-control-allow-methods') ?? '', /POST/);
  const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
  for (const header of ['authorization', 'content-type', 'idempotency-key', 'last-event-id']) t.true(allowed.includes(header), header);
  t.is(res.headers.get('access-control-allow-credentials'), null, 'Bearer APIs need no credentials');
});

test('a listed origin reads answers, Retry-After and Location included; an unlisted origin gets no CORS header', async (t) => {
  const listed = await app.request('GET', '/v1/listings', { headers: { Origin: SHOP } });
  t.is(listed.status, 200);
  t.is(listed.headers.get('access-control-allow-origin'), SHOP);
  const exposed = (listed.headers.get('access-control-expose-headers') ?? '').toLowerCase();
  t.true(exposed.includes('retry-after') && exposed.includes('location'), exposed);
  t.regex(listed.headers.get('vary') ?? '', /origin/i);

  const problem = await app.request('GET', '/v1/listings/not-an-id', { headers: { Origin: SHOP } });
  t.true(problem.status >= 400 && problem.status < 500);
  t.is(problem.headers.get('access-control-allow-origin'), SHOP, 'problem answers are readable too');

  for (const origin of ['https://evil.example', 'https://shop.example.evil.example', 'null']) {
    const foreign = await app.request('GET', '/v1/listings', { headers: { Origin: origin } });
    t.is(foreign.status, 200);
    t.is(foreign.headers.get('access-control-allow-origin'), null, origin);
    const preflight = await fetch(`${app.baseUrl}/v1/listings`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
    t.is(preflight.headers.get('access-control-allow-origin'), null, `${origin} preflight`);
    t.is(preflight.headers.get('access-control-allow-methods'), null);
  }
});

test('an auction stream (EventSource) answers a listed origin with the CORS header', async (t) => {
  const { auctionId } = await openAuction(app);
  const controller = new AbortController();
  const res = await fetch(`${app.baseUrl}/v1/auctions/${auctionId}/events`, { headers: { Origin: SHOP, Accept: 'text/event-stream' }, signal: controller.signal });
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  t.is(res.headers.get('access-control-allow-origin'), SHOP);
  controller.abort();
  await res.body?.cancel().catch(() => {});
});

test('without CORS_ORIGINS no origin gets CORS headers; each entry must be a URL origin', async (t) => {
  const base = { NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET };
  t.deepEqual(loadConfig(base).corsOrigins, []);
  t.deepEqual(loadConfig({ ...base, CORS_ORIGINS: `${SHOP},${DEV}` }).corsOrigins, [SHOP, DEV]);
  for (const bad of ['shop.example', 'https://shop.example/', 'https://shop.example/app', 'ftp://shop.example', '*', `${SHOP},nope`]) {
    t.throws(() => loadConfig({ ...base, CORS_ORIGINS: bad }), { message: /CORS_ORIGINS/ }, bad);
  }
});
