import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layers, read from the code's own imports: `domain/` knows no framework and no other layer;
 * `infra/` adapts domain ports to PostgreSQL, Redis, BullMQ and AWS; `api/` and `workers/` are
 * two sets of adapters over the same domain and infrastructure that never import each other;
 * `main/` assembles processes. An import that runs back up fails here, naming the file.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LAYERS = ['domain', 'infra', 'api', 'workers', 'main', 'migrations'] as const;
type Layer = (typeof LAYERS)[number];

/** Which layers each layer may import (its own always). */
const ALLOWED: Record<Layer, Layer[]> = {
  domain: [],
  migrations: [],
  infra: ['domain', 'migrations'],
  api: ['domain', 'infra'],
  workers: ['domain', 'infra'],
  main: ['domain', 'infra', 'api', 'workers'],
};
/** Packages that tie code to a transport or a queue: none of them belongs in the domain. */
const FRAMEWORKS = /^(koa|@koa\/|bullmq|ioredis|@bull-board\/|@aws-sdk\/|pino|prom-client|sharp)/;

function filesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Every static `import ... from` and `export ... from` specifier, and dynamic `import('...')`. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]/gms)) found.push(match[1]!);
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(match[1]!);
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1]!);
  return found;
}

const layerOf = (file: string): Layer | null => (LAYERS as readonly string[]).includes(file.split('/')[0]!) ? (file.split('/')[0] as Layer) : null;

interface Violation {
  file: string;
  imports: string;
  why: string;
}

export function violationsIn(file: string, source: string): Violation[] {
  const from = layerOf(file)!;
  const out: Violation[] = [];
  for (const specifier of importsOf(source)) {
    if (specifier.startsWith('.')) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
      const to = layerOf(target);
      if (to === null) {
        out.push({ file, imports: target, why: `${from}/ imports outside the production layers` });
      } else if (to !== from && !ALLOWED[from].includes(to)) {
        out.push({ file, imports: target, why: `${from}/ may not import ${to}/` });
      }
    } else if (from === 'domain' && FRAMEWORKS.test(specifier)) {
      out.push({ file, imports: specifier, why: 'domain/ stays free of transports and queues' });
    }
  }
  return out;
}

const production = LAYERS.flatMap((layer) => filesUnder(layer));

test('the production tree has the layers this test reads', (t) => {
  for (const layer of LAYERS) t.true(production.some((file) => file.startsWith(`${layer}/`)), layer);
  t.true(production.length > 100);
});

test('no import runs back up the layers (infra -> api/workers, api <-> workers, domain -> anything)', (t) => {
  const violations = production.flatMap((file) => violationsIn(file, readFileSync(join(ROOT, file), 'utf8')));
  t.deepEqual(violations, []);
});

test('the reader catches each kind of forbidden import it is meant to', (t) => {
  const cases: [string, string, string][] = [
    ['infra/runtime.ts', `import type { AppDeps } from '../api/context.ts';`, 'infra/ may not import api/'],
    ['infra/job-queues.ts', `import {\n  QUEUE_NAMES,\n} from '../workers/jobs.ts';`, 'infra/ may not import workers/'],
    ['api/routes/listings.ts', `import { jobIds } from '../../workers/jobs.ts';`, 'api/ may not import workers/'],
    ['workers/x.ts', `export { createApp } from '../api/app.ts';`, 'workers/ may not import api/'],
    ['domain/a.ts', `import { Queue } from 'bullmq';`, 'domain/ stays free of transports and queues'],
    ['domain/b.ts', `const m = await import('../infra/redis.ts');`, 'domain/ may not import infra/'],
    ['domain/c.ts', `import '../test/support/api.ts';`, 'domain/ imports outside the production layers'],
  ];
  for (const [file, source, why] of cases) t.deepEqual(violationsIn(file, source).map((v) => v.why), [why], `${file}: ${source}`);
  t.deepEqual(violationsIn('main/api.ts', `import { listen } from '../api/server.ts';\nimport { startWorkers } from '../workers/start-workers.ts';`), []);
  t.deepEqual(violationsIn('api/app.ts', `import Koa from 'koa';\nimport { placeBid } from '../domain/auctions/place-bid.ts';`), []);
});

test('no route or worker handler enqueues, publishes or dispatches by hand: use cases declare their follow-ups', (t) => {
  const adapters = production.filter((file) => file.startsWith('api/') || file.startsWith('workers/'));
  const byHand = /\b(jobs|events|followUps|bus)\.(enqueue|publish|dispatch)\(|\.queues\.\w+\.add\(/;
  const offenders = adapters.filter((file) => byHand.test(readFileSync(join(ROOT, file), 'utf8')));
  t.deepEqual(offenders, []);
  t.true(byHand.test(`await deps.jobs.enqueue('send-sms', payload)`) && byHand.test('deps.events.publish(event)'), 'the pattern sees what it looks for');
});
