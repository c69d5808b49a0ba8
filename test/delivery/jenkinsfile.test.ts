import test from 'ava';
import { readFileSync } from 'node:fs';

/** A structural lint of the declarative pipeline (no Jenkins here to load it). */
const source = readFileSync(new URL('../../Jenkinsfile', import.meta.url), 'utf8');
const code = source
  .split('\n')
  .map((line) => line.replace(/\/\/.*$/, ''))
  .join('\n');

/** Extracts the body of `name { ... }` at its first occurrence, honouring nested braces and strings. */
function block(text: string, name: string): string | undefined {
  const start = text.search(new RegExp(`\\b${name}\\s*\\{`));
  if (start < 0) return undefined;
  let depth = 0;
  let quote: string | null = null;
  for (let i = text.indexOf('{', start); i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return text.slice(text.indexOf('{', start) + 1, i);
  }
  return undefined;
}

test('braces and quotes balance', (t) => {
  t.truthy(block(code, 'pipeline'), 'pipeline { ... } closes');
  t.is(code.trim().at(-1), '}');
});

test('a declarative pipeline with an agent, parameters, options, stages and post', (t) => {
  const pipeline = block(code, 'pipeline')!;
  for (const section of ['agent', 'parameters', 'options', 'stages', 'post']) t.truthy(block(pipeline, section) ?? pipeline.match(new RegExp(`\\b${section}\\b`)), section);
});

test('stages in order: install, typecheck, tests with service containers, images, ECR, ECS', (t) => {
  const names = [...block(code, 'stages')!.matchAll(/stage\('([^']+)'\)/g)].map((m) => m[1]);
  t.deepEqual(names, ['Install', 'Lint and typecheck', 'Test', 'Build images', 'Push to ECR', 'Deploy to ECS']);
  const testStage = code.slice(code.indexOf("stage('Test')"), code.indexOf("stage('Build images')"));
  t.regex(testStage, /docker\.image\('postgres:\d+'\)\.withRun/);
  t.regex(testStage, /docker\.image\('redis:\d+'\)\.withRun/);
  t.regex(testStage, /npm test/);
  const build = code.slice(code.indexOf("stage('Build images')"), code.indexOf("stage('Push to ECR')"));
  t.regex(build, /-f Dockerfile\.api/);
  t.regex(build, /-f Dockerfile\.worker/);
});

test('the deploy is a rolling update that keeps healthy tasks until new ones are up', (t) => {
  const script = readFileSync(new URL('../../deploy/ecs-deploy.sh', import.meta.url), 'utf8');
  t.regex(script, /minimumHealthyPercent=100/);
  t.regex(script, /maximumPercent=200/);
  t.regex(script, /wait services-stable/);
  t.regex(script, /main\/migrate\.ts/, 'migrations run before the new release');
});

test('failures are emailed', (t) => {
  const failure = block(block(code, 'post')!, 'failure');
  t.truthy(failure);
  t.regex(failure!, /\b(mail|emailext)\b/);
});

test('credentials by id only; nothing secret in the file', (t) => {
  t.regex(code, /credentialsId: '[a-z0-9-]+'/);
  t.notRegex(source, /AKIA[0-9A-Z]{16}/, 'no AWS access key');
  t.notRegex(source, /(password|secret|token)\s*[:=]\s*['"][^'"$]{6,}/i, 'no literal password, secret or token');
});
