import test from 'ava';
import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { startTestApi, type TestApi } from '../support/api.ts';

let app: TestApi;
let doc: any;
test.before(async () => {
  app = await startTestApi('openapi_lint');
  doc = (await app.request('GET', '/openapi.json')).body;
});
test.after.always(async () => {
  await app?.close();
});

const describe = (p: NormalizedProblem) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`;

/** Redocly's recommended rules, and what it leaves as off or a warning that this document keeps. */
const RULES = {
  extends: ['recommended'],
  rules: {
    'security-defined': 'error',
    'no-empty-servers': 'error',
    'info-license': 'error',
    'info-contact': 'error',
    // The service is UNLICENSED (package.json): there is no SPDX identifier or license URL to give.
    'info-license-strict': 'off',
    'tags-alphabetical': 'off',
    'tag-description': 'error',
    'operation-tag-defined': 'error',
    'operation-description': 'error',
    'operation-summary': 'error',
    'operation-operationId': 'error',
    'no-unused-components': 'error',
    'no-invalid-media-type-examples': 'error',
    'no-invalid-schema-examples': 'error',
  },
} as const;

test('Redocly lint finds no error or warning in /openapi.json', async (t) => {
  const config = await createConfig(RULES as any);
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: '/openapi.json', config });
  t.deepEqual(problems.map(describe), []);
});

/** Every schema reachable from `schema`, `$ref`s followed once each. */
function* reachable(schema: unknown, seen = new Set<string>()): Generator<any> {
  if (!schema || typeof schema !== 'object') return;
  const ref = (schema as any).$ref;
  if (typeof ref === 'string') {
    if (seen.has(ref)) return;
    seen.add(ref);
    yield* reachable(doc.components.schemas[ref.replace('#/components/schemas/', '')], seen);
    return;
  }
  yield schema;
  for (const value of Object.values(schema)) yield* reachable(value, seen);
}

test('request body fields carry no defaults, and no required parameter has one', (t) => {
  // A generator (openapi-typescript's default) makes a defaulted field required in its types, so
  // a client would have to send what the server fills in itself.
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      for (const node of reachable(op.requestBody)) {
        for (const [name, property] of Object.entries<any>(node.properties ?? {})) t.false('default' in property, `${method} ${path}: body field ${name} has a default`);
      }
      for (const param of op.parameters ?? []) t.false(param.required === true && 'default' in (param.schema ?? {}), `${method} ${path}: required parameter ${param.name} has a default`);
    }
  }
});

test('each event stream names the schema of its events, and that schema is published', (t) => {
  const streams = Object.entries<any>(doc.paths).flatMap(([path, item]) =>
    Object.values<any>(item).flatMap((op) => Object.values<any>(op.responses).flatMap((r) => (r.content?.['text/event-stream'] ? [[path, r.content['text/event-stream'].schema]] : []))),
  );
  t.deepEqual(streams.map(([path]) => path).sort(), ['/v1/auctions/{id}/events', '/v1/me/events']);
  for (const [path, schema] of streams) {
    const ref = schema.contentSchema?.$ref ?? '';
    t.truthy(doc.components.schemas[ref.replace('#/components/schemas/', '')], `${path} names no published event schema`);
  }
  t.deepEqual(doc.components.schemas.UserEvent.oneOf.map((v: any) => v.properties.type.const).sort(), ['message', 'notification']);
});

test('public operations say so with security [], optional ones list both', (t) => {
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) t.true(Array.isArray(op.security), `${method} ${path} has no security`);
  }
  t.deepEqual(doc.paths['/v1/categories'].get.security, []);
  t.deepEqual(doc.paths['/v1/me/events'].get.security, [{}, { bearerAuth: [] }]);
  t.deepEqual(doc.paths['/v1/me'].get.security, [{ bearerAuth: [] }]);
  const used = new Set(Object.values<any>(doc.paths).flatMap((item) => Object.values<any>(item).flatMap((op) => op.tags)));
  t.deepEqual(doc.tags.map((tag: any) => tag.name).sort(), [...used].sort());
  for (const tag of doc.tags) t.truthy(tag.description, tag.name);
});
