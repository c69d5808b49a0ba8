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

test('Redocly lint (recommended rules) finds no error or warning in /openapi.json', async (t) => {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: '/openapi.json', config });
  t.deepEqual(problems.map(describe), []);
});
