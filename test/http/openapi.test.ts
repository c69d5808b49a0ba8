import test, { type ExecutionContext } from 'ava';
import { z } from 'zod';
import { apiRoutes } from '../../api/app.ts';
import type { Route } from '../../api/route.ts';
import { startTestApi, type HttpResult, type TestApi } from '../support/api.ts';

let app: TestApi;
let doc: any;
let routes: Route[];
test.before(async () => {
  app = await startTestApi('openapi');
  doc = (await app.request('GET', '/openapi.json')).body;
  routes = apiRoutes(app.deps);
});
test.after.always(async () => {
  await app?.close();
});

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');
const SOME_ID = '0190a0b0-0000-7000-8000-000000000000';

/** Local `$ref`s resolved, so a schema from the document can be used on its own. */
function resolve(schema: any): any {
  if (schema?.$ref) return resolve(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
  return schema;
}

/** A validator built from the published JSON Schema, not from the zod schema behind it. */
function publishedValidator(schema: unknown): z.ZodType {
  const text = JSON.stringify(schema).replaceAll('#/components/schemas/', '#/$defs/');
  const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/'));
  return z.fromJSONSchema({ ...JSON.parse(text), $defs: defs });
}

test('GET /openapi.json is an OpenAPI 3.1.0 document served as JSON', async (t) => {
  const res = await app.request('GET', '/openapi.json');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^application\/json/);
  t.is(res.body.openapi, '3.1.0');
  t.truthy(res.body.info.title);
  t.truthy(res.body.info.version);
  t.like(res.body.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer' });
});

test('the document has a Problem schema, used for problem+json answers', (t) => {
  const problem = doc.components.schemas.Problem;
  t.truthy(problem);
  t.deepEqual([...problem.required].sort(), ['status', 'title', 'type']);
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      for (const [status, response] of Object.entries<any>(op.responses)) {
        if (Number(status) < 400) continue;
        const content = response.content ?? {};
        t.truthy(content['application/problem+json'], `${method} ${path} ${status} is not problem+json`);
        t.false('application/json' in content, `${method} ${path} ${status} is documented as plain JSON`);
      }
      t.truthy(op.responses['500'], `${method} ${path} documents no 500`);
    }
  }
});

test('every route the router serves is documented, and nothing else', (t) => {
  const served = routes.map((r) => `${r.spec.method} ${toOpenApiPath(r.spec.path)}`).sort();
  const documented = Object.entries<any>(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)).sort();
  t.deepEqual(documented, served);
  for (const route of routes) {
    const op = doc.paths[toOpenApiPath(route.spec.path)][route.spec.method];
    t.is(op.operationId, route.spec.operationId);
    for (const status of Object.keys(route.spec.responses)) t.truthy(op.responses[status], `${route.spec.operationId} ${status}`);
  }
});

test('operation ids are unique and every path parameter is declared', (t) => {
  const ids = new Set<string>();
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      t.false(ids.has(op.operationId), op.operationId);
      ids.add(op.operationId);
      const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name).sort();
      const inPath = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]).sort();
      t.deepEqual(declared, inPath, `${method} ${path}`);
    }
  }
});

test('every documented operation is really routed (no 404 route-not-found, no 405)', async (t) => {
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of Object.keys(item)) {
      const url = app.baseUrl + path.replace(/\{[A-Za-z]+\}/g, SOME_ID);
      const res = await fetch(url, { method: method.toUpperCase(), signal: AbortSignal.timeout(5000) });
      const type = res.headers.get('content-type') ?? '';
      const body: any = type.includes('json') ? await res.json() : await res.body?.cancel();
      t.not(res.status, 405, `${method} ${path}`);
      t.not(body?.type, 'https://gavel.dev/problems/route-not-found', `${method} ${path}`);
    }
  }
});

const CONTRACT: [string, string, number[], boolean][] = [
  ['get', '/health/live', [200], false],
  ['get', '/health/ready', [200], false],
  ['post', '/v1/auth/signup', [201], false],
  ['post', '/v1/auth/login', [200], false],
  ['post', '/v1/auth/refresh', [200], false],
  ['get', '/v1/me', [200], true],
  ['get', '/v1/categories', [200], false],
  ['post', '/v1/listings', [201], true],
  ['get', '/v1/listings', [200], false],
  ['get', '/v1/listings/{id}', [200], false],
  ['patch', '/v1/listings/{id}', [200], true],
  ['delete', '/v1/listings/{id}', [200, 204], true],
  ['put', '/v1/listings/{id}/like', [200, 201, 204], true],
  ['delete', '/v1/listings/{id}/like', [200, 204], true],
  ['get', '/v1/me/likes', [200], true],
  ['post', '/v1/listings/{id}/purchase', [201], true],
  ['get', '/v1/me/trades', [200], true],
];

for (const [method, path, statuses, needsAuth] of CONTRACT) {
  test(`the contract's ${method.toUpperCase()} ${path} is documented with its success status`, (t) => {
    const op = doc.paths[path]?.[method];
    if (!op) return t.fail(`${method} ${path} is not documented`);
    const success = Object.keys(op.responses).map(Number).filter((s) => s < 300);
    t.is(success.length, 1, `${method} ${path}: ${success.join()}`);
    t.true(statuses.includes(success[0]!), `${method} ${path} documents ${success[0]}`);
    if (needsAuth) {
      t.deepEqual(op.security, [{ bearerAuth: [] }]);
      t.truthy(op.responses['401']);
    }
  });
}

test('lists are documented as {items, nextCursor} with a cursor and a limit up to 100', (t) => {
  for (const [path, query] of [['/v1/listings', true], ['/v1/me/likes', true], ['/v1/me/trades', true]] as const) {
    const op = doc.paths[path].get;
    const schema = resolve(op.responses['200'].content['application/json'].schema);
    t.deepEqual([...schema.required].sort(), ['items', 'nextCursor'], path);
    t.is(schema.properties.items.type, 'array');
    if (query) {
      const params = Object.fromEntries(op.parameters.map((p: any) => [p.name, p]));
      t.truthy(params.cursor, path);
      t.is(params.limit?.schema.maximum, 100, path);
    }
  }
});

test('request bodies of strict routes reject additional properties', (t) => {
  let bodies = 0;
  for (const route of routes) {
    if (!route.spec.body) continue;
    bodies++;
    const op = doc.paths[toOpenApiPath(route.spec.path)][route.spec.method];
    t.true(op.requestBody.required, route.spec.operationId);
    const schema = resolve(op.requestBody.content['application/json'].schema);
    // A zod strict object says so in the document; these routes all refuse unknown fields.
    const strict = route.spec.body.safeParse({ __unknown_field__: 1 }).error?.issues.some((i) => i.code === 'unrecognized_keys') ?? false;
    if (strict) t.is(schema.additionalProperties, false, route.spec.operationId);
    t.true(strict, `${route.spec.operationId} accepts unknown fields`);
    // The document and the route agree on an unknown field.
    t.false(publishedValidator(op.requestBody.content['application/json'].schema).safeParse({ __unknown_field__: 1 }).success);
  }
  t.true(bodies >= 5);
});

test('routes with a JSON body document 408, 413 and 415; routes without one do not, unless they take raw bytes', (t) => {
  for (const route of routes) {
    const op = doc.paths[toOpenApiPath(route.spec.path)][route.spec.method];
    // A raw-bytes upload declares its own 413 (more bytes than announced).
    const raw = (status: number) => !route.spec.body && route.spec.problems.includes(status);
    for (const status of [408, 413, 415]) t.is(String(status) in op.responses, Boolean(route.spec.body) || raw(status), `${route.spec.operationId} ${status}`);
    if (route.spec.body || route.spec.params || route.spec.query) t.truthy(op.responses['400'], route.spec.operationId);
  }
});

test('/docs is a page that loads Swagger UI from /docs, with no inline script', async (t) => {
  const res = await app.request('GET', '/docs');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(res.body, /<script src="\/docs\/swagger-ui-bundle\.js"><\/script>/);
  t.notRegex(res.body, /<script>(?!<)/);
  t.regex(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
});

test('the Swagger UI assets are served with their content types', async (t) => {
  const bundle = await fetch(`${app.baseUrl}/docs/swagger-ui-bundle.js`);
  t.is(bundle.status, 200);
  t.regex(bundle.headers.get('content-type') ?? '', /^(text|application)\/javascript/);
  t.true((await bundle.arrayBuffer()).byteLength > 100_000);
  const css = await fetch(`${app.baseUrl}/docs/swagger-ui.css`);
  t.is(css.status, 200);
  t.regex(css.headers.get('content-type') ?? '', /^text\/css/);
  await css.body?.cancel();
  const init = await app.request('GET', '/docs/init.js');
  t.is(init.status, 200);
  t.regex(init.headers.get('content-type') ?? '', /^(text|application)\/javascript/);
  t.regex(init.body, /\/openapi\.json/);
});

test('the docs route serves only its own assets', async (t) => {
  for (const path of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/constructor', '/docs/hasOwnProperty', '/docs/index.html']) {
    const res = await app.request('GET', path);
    t.is(res.status, 404, path);
  }
});

/** Checks a real answer against both the route's zod schema and the published JSON Schema. */
function conforms(t: ExecutionContext, covered: Set<string>, method: string, koaPath: string, res: HttpResult) {
  const route = routes.find((r) => r.spec.method === method && r.spec.path === koaPath);
  if (!route) return t.fail(`no route ${method} ${koaPath}`);
  const label = `${route.spec.operationId} ${res.status}`;
  const declared = route.spec.responses[res.status];
  if (!declared) return t.fail(`${label} is not a declared response: ${JSON.stringify(res.body)}`);
  const documented = doc.paths[toOpenApiPath(koaPath)][method].responses[res.status];
  if (!declared.schema) {
    t.is(res.body, '', label);
    t.falsy(documented.content, label);
  } else {
    const zodResult = declared.schema.safeParse(res.body);
    t.true(zodResult.success, `${label} (zod): ${JSON.stringify(zodResult.error?.issues)}`);
    const mediaType = Object.keys(documented.content)[0]!;
    t.is((res.headers.get('content-type') ?? '').split(';')[0], mediaType, label);
    const published = publishedValidator(documented.content[mediaType].schema).safeParse(res.body);
    t.true(published.success, `${label} (published): ${JSON.stringify(published.error?.issues)}`);
    // And the published schema is not a blank cheque: without a required member the answer fails.
    const required: string[] = resolve(documented.content[mediaType].schema).required ?? [];
    if (required.length) {
      const { [required[0]!]: _dropped, ...incomplete } = res.body;
      t.false(publishedValidator(documented.content[mediaType].schema).safeParse(incomplete).success, label);
    }
  }
  covered.add(route.spec.operationId);
}

test('real responses validate against the schemas their routes publish', async (t) => {
  const covered = new Set<string>();
  const check = (method: string, path: string, res: HttpResult) => conforms(t, covered, method, path, res);

  check('get', '/health/live', await app.request('GET', '/health/live'));
  check('get', '/health/ready', await app.request('GET', '/health/ready'));

  const categories = await app.request('GET', '/v1/categories');
  t.true(categories.body.items.length > 0);
  check('get', '/v1/categories', categories);

  const seller = await app.signup({ nickname: '판매자' });
  const signup = await app.request('POST', '/v1/auth/signup', { body: { phone: '+821055550001', password: 'correct horse battery', nickname: '구매자' } });
  check('post', '/v1/auth/signup', signup);
  const buyer = signup.body.accessToken as string;
  const login = await app.request('POST', '/v1/auth/login', { body: { phone: seller.phone, password: seller.password } });
  check('post', '/v1/auth/login', login);
  check('post', '/v1/auth/refresh', await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: login.body.refreshToken } }));
  check('get', '/v1/me', await app.request('GET', '/v1/me', { token: buyer }));

  const categoryId = categories.body.items[0].id;
  const newListing = (title: string) =>
    app.request('POST', '/v1/listings', {
      token: seller.accessToken,
      body: { title, description: '거의 새것', categoryId, price: 15000, imageUrls: ['https://img.example.com/1.jpg'] },
    });
  const created = await newListing('자전거');
  check('post', '/v1/listings', created);
  const id = created.body.id as string;
  check('get', '/v1/listings/:id', await app.request('GET', `/v1/listings/${id}`));
  check('get', '/v1/listings/:id', await app.request('GET', `/v1/listings/${id}`, { token: buyer }));
  check('patch', '/v1/listings/:id', await app.request('PATCH', `/v1/listings/${id}`, { token: seller.accessToken, body: { price: 14000 } }));
  check('get', '/v1/listings', await app.request('GET', '/v1/listings?limit=1'));
  check('get', '/v1/listings', await app.request('GET', `/v1/listings?sort=price_asc&categoryId=${categoryId}`, { token: buyer }));

  check('put', '/v1/listings/:id/like', await app.request('PUT', `/v1/listings/${id}/like`, { token: buyer }));
  check('get', '/v1/me/likes', await app.request('GET', '/v1/me/likes', { token: buyer }));
  check('delete', '/v1/listings/:id/like', await app.request('DELETE', `/v1/listings/${id}/like`, { token: buyer }));

  const purchase = await app.request('POST', `/v1/listings/${id}/purchase`, { token: buyer });
  check('post', '/v1/listings/:id/purchase', purchase);
  check('get', '/v1/trades/:id', await app.request('GET', `/v1/trades/${purchase.body.id}`, { token: buyer }));
  check('get', '/v1/me/trades', await app.request('GET', '/v1/me/trades', { token: buyer }));
  check('get', '/v1/me/trades', await app.request('GET', '/v1/me/trades?role=seller', { token: seller.accessToken }));
  check('post', '/v1/trades/:id/complete', await app.request('POST', `/v1/trades/${purchase.body.id}/complete`, { token: seller.accessToken }));

  const second = await newListing('헬멧');
  const secondTrade = await app.request('POST', `/v1/listings/${second.body.id}/purchase`, { token: buyer });
  check('post', '/v1/trades/:id/cancel', await app.request('POST', `/v1/trades/${secondTrade.body.id}/cancel`, { token: buyer }));
  const third = await newListing('장갑');
  check('delete', '/v1/listings/:id', await app.request('DELETE', `/v1/listings/${third.body.id}`, { token: seller.accessToken }));
  check('post', '/v1/auth/logout', await app.request('POST', '/v1/auth/logout', { body: { refreshToken: login.body.refreshToken } }));

  const expected = [
    'live', 'ready', 'listCategories', 'signup', 'login', 'refresh', 'getMe', 'createListing', 'getListing', 'updateListing', 'searchListings',
    'likeListing', 'listMyLikes', 'unlikeListing', 'purchaseListing', 'getTrade', 'listMyTrades', 'completeTrade', 'cancelTrade', 'deleteListing', 'logout',
  ];
  t.deepEqual([...covered].sort(), expected.sort());
});

test('problem answers validate against the published Problem schema', async (t) => {
  const validator = publishedValidator({ $ref: '#/components/schemas/Problem' });
  const user = await app.signup();
  const answers = [
    await app.request('GET', '/v1/me'),
    await app.request('GET', `/v1/listings/${SOME_ID}`),
    await app.request('POST', '/v1/auth/signup', { body: { phone: 'x' } }),
    await app.request('POST', '/v1/auth/login', { raw: '{', headers: { 'content-type': 'application/json' } }),
    await app.request('POST', `/v1/listings/${SOME_ID}/purchase`, { token: user.accessToken }),
  ];
  for (const res of answers) {
    const result = validator.safeParse(res.body);
    t.true(result.success, `${res.status}: ${JSON.stringify(result.error?.issues)}`);
  }
});
