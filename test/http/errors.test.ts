import { gzipSync } from 'node:zlib';
import test from 'ava';
import { toProblem, type Problem } from '../../api/middleware/problem.ts';
import { DomainError } from '../../domain/errors.ts';
import { encodeCursor } from '../../domain/shared/cursor.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { assertProblem, PROBLEMS } from '../support/problems.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('errors');
});
test.after.always(async () => {
  await app?.close();
});

const json = { 'content-type': 'application/json' };

test('malformed JSON gives 400 malformed-json, never 500', async (t) => {
  for (const raw of ['{"phone": ', '{phone: 1}', "{'a': 1}", '{"a": 1}}', '\u0000', '{"a": 1,}', 'undefined', '[']) {
    const res = await app.request('POST', '/v1/auth/login', { raw, headers: json });
    assertProblem(t, res, 400);
    t.is(res.body.type, `${PROBLEMS}malformed-json`, raw);
    t.truthy(res.body.detail);
  }
});

test('malformed JSON on a route that needs a caller still gives a problem, never 500', async (t) => {
  const user = await app.signup();
  const res = await app.request('POST', '/v1/listings', { raw: '{"title": "x"', headers: json, token: user.accessToken });
  assertProblem(t, res, 400);
  t.is(res.body.type, `${PROBLEMS}malformed-json`);
});

test('a body whose gzip encoding is corrupt gives 400, and a gzip bomb 413', async (t) => {
  const login = (body: Uint8Array | string) =>
    fetch(`${app.baseUrl}/v1/auth/login`, { method: 'POST', body, headers: { ...json, 'content-encoding': 'gzip' } }).then(async (r) => ({ status: r.status, body: (await r.json()) as { type?: string } }));
  const good = gzipSync(JSON.stringify({ phone: '+821012345678', password: 'not the password' }));
  t.is((await login(new Uint8Array(good))).status, 401);
  for (const body of ['not gzip at all', new Uint8Array(good.subarray(0, 20))]) {
    const res = await login(body);
    t.is(res.status, 400);
    t.is(res.body.type, `${PROBLEMS}malformed-body`);
  }
  const bomb = await login(new Uint8Array(gzipSync(Buffer.alloc(5_000_000, 32))));
  t.is(bomb.status, 413);
});

test('a __proto__ member is refused as a 400, not passed on', async (t) => {
  const raw = '{"__proto__": {"role": "admin"}, "phone": "+821012345678", "password": "not the password"}';
  const res = await app.request('POST', '/v1/auth/login', { raw, headers: json });
  assertProblem(t, res, 400);
  t.is(res.body.type, `${PROBLEMS}validation-failed`);
  t.regex(res.body.errors[0].message, /prototype/);
});

test('a body over the limit gives 413', async (t) => {
  const raw = JSON.stringify({ phone: '+821012345678', password: 'x'.repeat(200 * 1024) });
  const res = await app.request('POST', '/v1/auth/login', { raw, headers: json });
  assertProblem(t, res, 413);
  t.is(res.body.type, `${PROBLEMS}body-too-large`);
});

test('a body just under the limit is read and validated', async (t) => {
  const raw = JSON.stringify({ phone: '+821012345678', password: 'x'.repeat(90 * 1024) });
  const res = await app.request('POST', '/v1/auth/login', { raw, headers: json });
  assertProblem(t, res, 400);
  t.is(res.body.type, `${PROBLEMS}validation-failed`);
});

test('a body that is not JSON gives 415 on a route that takes a body', async (t) => {
  const body = 'phone=%2B821012345678&password=secret';
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
    const res = await app.request('POST', '/v1/auth/login', { raw: body, headers: { 'content-type': type } });
    assertProblem(t, res, 415);
    t.is(res.body.type, `${PROBLEMS}unsupported-media-type`, type);
  }
  const untyped = await fetch(`${app.baseUrl}/v1/auth/login`, { method: 'POST', body: new Uint8Array(Buffer.from('{"phone": "+821012345678"}')) });
  t.is(untyped.status, 415);
  const chunks = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(body));
      controller.close();
    },
  });
  const chunked = await fetch(`${app.baseUrl}/v1/auth/login`, { method: 'POST', body: chunks, headers: { 'content-type': 'text/plain' }, duplex: 'half' } as RequestInit);
  t.is(chunked.status, 415);
});

test('a JSON type the body parser does not read is 415, not an empty body', async (t) => {
  const res = await app.request('POST', '/v1/auth/login', {
    raw: JSON.stringify({ phone: '+821012345678', password: 'whatever pass' }),
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  assertProblem(t, res, 415);
});

test('JSON with a charset parameter is accepted', async (t) => {
  const res = await app.request('POST', '/v1/auth/login', {
    raw: JSON.stringify({ phone: '+821012345678', password: 'not the password' }),
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  assertProblem(t, res, 401);
});

test('an unknown route gives a 404 problem', async (t) => {
  for (const path of ['/nope', '/v1/nope', '/v1/listings/123/nope', '/docs/nope.js', '/docs/constructor', '/docs/__proto__', '/docs/toString']) {
    const res = await app.request('GET', path);
    assertProblem(t, res, 404);
    t.is(res.body.type, `${PROBLEMS}route-not-found`, path);
  }
});

test('a wrong method on a known path gives 405 with an Allow header', async (t) => {
  const cases: [string, string, string[]][] = [
    ['DELETE', '/v1/categories', ['GET']],
    ['PUT', '/v1/auth/login', ['POST']],
    ['POST', '/v1/listings/0190a0b0-0000-7000-8000-000000000000', ['GET', 'PATCH', 'DELETE']],
    ['POST', '/v1/listings/0190a0b0-0000-7000-8000-000000000000/like', ['PUT', 'DELETE']],
    ['PATCH', '/health/live', ['GET']],
  ];
  for (const [method, path, allowed] of cases) {
    const res = await app.request(method, path);
    assertProblem(t, res, 405);
    t.is(res.body.type, `${PROBLEMS}method-not-allowed`);
    const allow = (res.headers.get('allow') ?? '').split(/,\s*/);
    for (const m of allowed) t.true(allow.includes(m), `${method} ${path}: Allow ${allow.join(', ')} lacks ${m}`);
    t.false(allow.includes(method), `${method} ${path}`);
  }
});

test('a percent-encoding that does not decode is a 4xx, not a 500', async (t) => {
  for (const path of ['/v1/listings/%E0%A4%A', '/v1/listings/%ZZ', '/v1/listings/%00']) {
    const res = await app.request('GET', path);
    t.true(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  }
});

test('wrong JSON types give 400 listing every field error', async (t) => {
  const user = await app.signup();
  const listing = { title: 'Bike', description: 'A bike', categoryId: 1, price: 1000 };
  const cases: [string, unknown, string[]][] = [
    ['a string for a number', { ...listing, price: '1000' }, ['price']],
    ['an array for an object', [listing], ['']],
    ['a number and a boolean for strings', { ...listing, title: 5, description: true }, ['title', 'description']],
    ['a fractional number of won', { ...listing, price: 10.5 }, ['price']],
    ['an object for an array', { ...listing, imageUrls: { a: 1 } }, ['imageUrls']],
    ['an unknown field', { ...listing, sellerId: user.id }, ['']],
  ];
  for (const [name, body, paths] of cases) {
    const res = await app.request('POST', '/v1/listings', { body, token: user.accessToken });
    assertProblem(t, res, 400);
    t.is(res.body.type, `${PROBLEMS}validation-failed`, name);
    t.true(Array.isArray(res.body.errors), name);
    const reported = res.body.errors.map((e: { path: string }) => e.path);
    for (const path of paths) t.true(reported.includes(path), `${name}: ${JSON.stringify(res.body.errors)}`);
    for (const error of res.body.errors) t.like(error, { in: 'body' });
  }
});

test('a JSON body that is null, a string, a number or empty gives 400 naming the body', async (t) => {
  for (const raw of ['null', '"string"', '42', 'true', '']) {
    const res = await app.request('POST', '/v1/auth/login', { raw, headers: json });
    assertProblem(t, res, 400);
    t.is(res.body.type, `${PROBLEMS}validation-failed`, raw);
    t.true(Array.isArray(res.body.errors) && res.body.errors.length > 0, raw);
    t.like(res.body.errors[0], { in: 'body' });
  }
});

test('wrong query and path types give 400 naming where they were', async (t) => {
  const query = await app.request('GET', '/v1/listings?limit=abc&minPrice=-5&status=gone&sort=random');
  assertProblem(t, query, 400);
  const paths = query.body.errors.map((e: { in: string; path: string }) => `${e.in}:${e.path}`);
  for (const p of ['query:limit', 'query:minPrice', 'query:status', 'query:sort']) t.true(paths.includes(p), paths.join());
  const param = await app.request('GET', '/v1/listings/not-a-uuid');
  assertProblem(t, param, 400);
  t.like(param.body.errors[0], { in: 'path', path: 'id' });
  const cursor = await app.request('GET', '/v1/listings?cursor=bm9wZQ');
  assertProblem(t, cursor, 400);
  t.is(cursor.body.type, `${PROBLEMS}invalid-cursor`);
  // A date JavaScript rolls over but PostgreSQL refuses must stop at the cursor check, not in SQL.
  const impossible = encodeCursor(['2026-02-30T00:00:00Z', '0190a0b0-0000-7000-8000-000000000000']);
  const rolled = await app.request('GET', `/v1/listings?cursor=${impossible}`);
  assertProblem(t, rolled, 400);
  t.is(rolled.body.type, `${PROBLEMS}invalid-cursor`);
});

test('missing auth is a 401 problem, not a 500', async (t) => {
  for (const [method, path] of [['GET', '/v1/me'], ['POST', '/v1/listings'], ['GET', '/v1/me/likes'], ['GET', '/v1/me/trades']] as const) {
    const res = await app.request(method, path, method === 'POST' ? { body: {} } : {});
    assertProblem(t, res, 401);
  }
});

test('an unknown error becomes a generic 500 with nothing but the request id', (t) => {
  const error = Object.assign(new Error('duplicate key value violates unique constraint "users_phone_key" select * from users'), {
    sql: 'select * from users where phone = $1',
    code: '23505',
    detail: 'Key (phone)=(+821012345678) already exists.',
  });
  const problem = toProblem(error);
  t.deepEqual(problem, {
    type: `${PROBLEMS}internal-error`,
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong on our side.',
  });
  const text = JSON.stringify(problem);
  for (const leak of ['select', 'users', '23505', 'stack', '+8210', 'at ']) t.false(text.includes(leak), leak);
});

test('errors that are not Error objects, and 5xx http errors, are generic 500s too', (t) => {
  const internal = (p: Problem) => p.status === 500 && p.type === `${PROBLEMS}internal-error` && !('stack' in p);
  t.true(internal(toProblem('a string')));
  t.true(internal(toProblem(null)));
  t.true(internal(toProblem(undefined)));
  t.true(internal(toProblem({ status: 503, message: 'upstream said no', expose: false })));
  t.true(internal(toProblem(Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { status: 'bad' }))));
});

test('a domain error keeps its code and extras but cannot overwrite the standard members', (t) => {
  const problem = toProblem(new DomainError('conflict', 'listing-not-on-sale', 'The listing is not on sale.', { status: 200, type: 'x', listingStatus: 'sold' }));
  t.deepEqual(problem, {
    type: `${PROBLEMS}listing-not-on-sale`,
    title: 'Conflict',
    status: 409,
    detail: 'The listing is not on sale.',
    listingStatus: 'sold',
  });
});

test('X-Request-Id is generated when missing', async (t) => {
  const a = await app.request('GET', '/health/live');
  const b = await app.request('GET', '/health/live');
  t.regex(a.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  t.not(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
});

test('X-Request-Id is echoed when the sent one is safe, also on problems', async (t) => {
  const id = 'lb-1234abcd:trace.5678_x';
  t.is((await app.request('GET', '/health/live', { headers: { 'x-request-id': id } })).headers.get('x-request-id'), id);
  const problem = await app.request('GET', '/nope', { headers: { 'x-request-id': id } });
  t.is(problem.headers.get('x-request-id'), id);
  t.is(problem.body.requestId, id);
});

test('X-Request-Id is replaced when the sent one is unsafe', async (t) => {
  for (const sent of ['has spaces in it', 'a'.repeat(500), 'short', '<script>alert(1)</script>', 'abc\tdefghij', 'ünïcödé-id-123']) {
    const res = await app.request('GET', '/health/live', { headers: { 'x-request-id': sent } });
    const got = res.headers.get('x-request-id') ?? '';
    t.not(got, sent);
    t.regex(got, /^[0-9a-f-]{36}$/);
  }
});

test('security headers are set on answers and on problems', async (t) => {
  for (const path of ['/health/live', '/nope', '/docs']) {
    const res = await app.request('GET', path);
    t.is(res.headers.get('x-content-type-options'), 'nosniff', path);
    t.truthy(res.headers.get('content-security-policy'), path);
    t.truthy(res.headers.get('x-frame-options'), path);
    t.regex(res.headers.get('strict-transport-security') ?? '', /max-age=/, path);
    t.is(res.headers.get('x-powered-by'), null, path);
  }
});

test('every 4xx body has type, title and status', async (t) => {
  const user = await app.signup();
  const requests: [string, string, Parameters<TestApi['request']>[2]][] = [
    ['GET', '/v1/me', {}],
    ['GET', '/v1/me', { token: 'garbage' }],
    ['GET', '/v1/listings/0190a0b0-0000-7000-8000-000000000000', {}],
    ['POST', '/v1/auth/signup', { body: { phone: 'x' } }],
    ['POST', '/v1/auth/login', { raw: '{', headers: json }],
    ['POST', '/v1/auth/login', { raw: 'a=b', headers: { 'content-type': 'text/plain' } }],
    ['PATCH', '/v1/listings/0190a0b0-0000-7000-8000-000000000000', { body: { title: 'x' }, token: user.accessToken }],
    ['DELETE', '/v1/categories', {}],
    ['GET', '/v1/nope', {}],
  ];
  for (const [method, path, options] of requests) {
    const res = await app.request(method, path, options);
    t.true(res.status >= 400 && res.status < 500, `${method} ${path}: ${res.status}`);
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/, `${method} ${path}`);
    t.is(typeof res.body.type, 'string', `${method} ${path}`);
    t.is(typeof res.body.title, 'string', `${method} ${path}`);
    t.is(res.body.status, res.status, `${method} ${path}`);
  }
});

test('an unencoded Korean word in the query is a 400 problem that says how to encode it, not a bare 400', async (t) => {
  const { createConnection } = await import('node:net');
  const port = Number(new URL(app.baseUrl).port);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1', () => socket.write(Buffer.from('GET /v1/listings?q=의자 HTTP/1.1\r\nHost: gavel.test\r\n\r\n', 'utf8')));
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  const [head, body] = answer.split('\r\n\r\n');
  t.regex(head!, /^HTTP\/1\.1 400 /);
  t.regex(head!, /content-type: application\/problem\+json/i);
  const problem = JSON.parse(body!);
  t.like(problem, { status: 400, type: 'https://gavel.dev/problems/malformed-request' });
  t.regex(problem.detail, /percent-encoded/);
});
