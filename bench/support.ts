import type { ChildProcess } from 'node:child_process';
import type pg from 'pg';
import { startApiProcess as startApi } from '../test/support/api-process.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { dropRedisKeys } from '../test/support/redis-keys.ts';

/**
 * Shared plumbing for the benchmarks: a private database and an API child process (the same
 * helpers the tests use), percentiles and a closed-loop load driver.
 */

export const benchDatabase = (label: string): Promise<TestDatabase> => createTestDatabase(`bench_${label}`);

/**
 * Runs `npm run start:api`'s entry point (or `npm start`'s, `all`) as its own process, as production would. `stop` also
 * removes the keys it left under its REDIS_KEY_PREFIX (benchmarks use a prefix of their own).
 */
export async function startApiProcess(env: Record<string, string>, entry: 'api' | 'all' = 'api'): Promise<{ baseUrl: string; child: ChildProcess; stop(): Promise<void> }> {
  const api = await startApi({ SHUTDOWN_DRAIN_MS: '0', ...env }, undefined, entry);
  return {
    baseUrl: `http://127.0.0.1:${api.port}`,
    child: api.child,
    async stop() {
      await api.terminate();
      if (env.REDIS_KEY_PREFIX) await dropRedisKeys({ redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379', redisKeyPrefix: env.REDIS_KEY_PREFIX });
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

/** `count` open auctions of `sellerId`, ending in a day, straight in SQL (set-up, not the subject). */
export async function seedAuctions(sql: pg.Pool, sellerId: string, count: number): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    `with l as (
       insert into listings (id, seller_id, category_id, title, description, sale_type, price)
       select gen_random_uuid(), $1, 1, '벤치 경매 ' || n, 'bench', 'auction', 10000 from generate_series(1, $2) n
       returning id)
     insert into auctions (id, listing_id, seller_id, status, start_price, current_price, starts_at, ends_at, original_ends_at)
     select gen_random_uuid(), l.id, $1, 'open', 10000, 10000, now(), now() + interval '1 day', now() + interval '1 day' from l
     returning id`,
    [sellerId, count],
  );
  return rows.map((r) => r.id);
}

/**
 * Reads an event stream response as the benchmarks need it: `onOpen` at the first bytes, then
 * `onData` with the `data:` line of each complete frame (frames without one are comments or ids).
 */
export function readSseData(res: NodeJS.ReadableStream & { setEncoding(encoding: 'utf8'): void }, onOpen: () => void, onData: (data: string) => void): void {
  res.setEncoding('utf8');
  let buffer = '';
  let first = true;
  res.on('data', (chunk: string) => {
    if (first) {
      first = false;
      onOpen();
    }
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split('\n').find((l) => l.startsWith('data: '));
      if (data) onData(data.slice(6));
    }
  });
}
