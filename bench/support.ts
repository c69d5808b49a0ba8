import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createOrm, dropDatabase, ensureDatabase, migrate, type Orm } from '../infra/database.ts';

/** Shared plumbing for the benchmarks: a private database, an API child process, percentiles. */

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function benchDatabase(label: string): Promise<{ url: string; orm: Orm; drop(): Promise<void> }> {
  const url = new URL(ADMIN_URL);
  url.pathname = `/gavel_bench_${label}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  const orm = await createOrm(databaseUrl, { poolMax: 20 });
  await migrate(orm, databaseUrl);
  return {
    url: databaseUrl,
    orm,
    async drop() {
      await orm.close();
      await dropDatabase(databaseUrl);
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

/** Runs `npm run start:api`'s entry point as its own process, as production would. */
export async function startApiProcess(env: Record<string, string>): Promise<{ baseUrl: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const entry = fileURLToPath(new URL('../api/main.ts', import.meta.url));
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  let ready = false;
  for (let i = 0; i < 100 && !ready && child.exitCode === null; i++) {
    ready = await fetch(`${baseUrl}/health/ready`).then((r) => r.ok, () => false);
    if (!ready) await new Promise((r) => setTimeout(r, 100));
  }
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error('the API process did not become ready');
  }
  return {
    baseUrl,
    child,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export function percentile(sortedMs: number[], p: number): number {
  if (!sortedMs.length) return NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}

export interface Sample {
  ms: number;
  accepted: boolean;
}

export function summarize(name: string, samples: Sample[], seconds: number) {
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const accepted = samples.filter((s) => s.accepted).length;
  return {
    scenario: name,
    requests: samples.length,
    accepted,
    'accepted/s': Math.round(accepted / seconds),
    'requests/s': Math.round(samples.length / seconds),
    'p50 ms': Number(percentile(all, 50).toFixed(2)),
    'p99 ms': Number(percentile(all, 99).toFixed(2)),
  };
}

/** Runs `workers` loops for `seconds`, each timing its calls to `step`. */
export async function closedLoop(workers: number, seconds: number, step: (worker: number) => Promise<boolean>): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) {
        const started = performance.now();
        const accepted = await step(worker);
        samples.push({ ms: performance.now() - started, accepted });
      }
    }),
  );
  return samples;
}
