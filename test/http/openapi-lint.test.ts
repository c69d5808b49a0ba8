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
