import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { startApiProcess } from '../support/api-process.ts';
import { createTestDatabase } from '../support/database.ts';
import { dropRedisKeys } from '../support/redis-keys.ts';

/**
 * `npm start` with API_PROCESSES=2: two API processes forked from the first, on one port. One
 * killed is replaced while the other keeps answering; SIGTERM to the first stops them all.
 */
const childrenOf = async (pid: number): Promise<number[]> => {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    if (new RegExp(`^PPid:\\s+${pid}$`, 'm').test(status) && !/^State:\s+Z/m.test(status)) found.push(Number(entry));
  }
  return found;
};
const waitFor = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

test('npm start serves from API_PROCESSES processes, replaces one that dies, and stops them all on SIGTERM', async (t) => {
  const db = await createTestDatabase('api_processes');
  const redisKeyPrefix = `gavel_test_api_processes_${process.pid}`;
  const api = await startApiProcess({ DATABASE_URL: db.url, REDIS_KEY_PREFIX: redisKeyPrefix, API_PROCESSES: '2', SHUTDOWN_DRAIN_MS: '0' }, undefined, 'all');
  const base = `http://127.0.0.1:${api.port}`;
  try {
    const pid = api.child.pid!;
    await waitFor('two API processes', async () => (await childrenOf(pid)).length === 2, 60_000);
    const [first] = await childrenOf(pid);
    process.kill(first!, 'SIGKILL');
    await waitFor('a replacement', async () => {
      const now = await childrenOf(pid);
      return now.length === 2 && !now.includes(first!);
    }, 60_000);
    // Polled as a balancer would: a connection handed out in the instant the dead process was
    // still in the first one's rotation is reset (under load that instant can be long).
    await waitFor('readiness', () => fetch(`${base}/health/ready`).then((r) => r.status === 200, () => false), 60_000);

    const apis = await childrenOf(pid);
    const { code } = await api.terminate();
    t.is(code, 0);
    const alive = (p: number) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    t.deepEqual(apis.filter(alive), [], 'no API process outlives the first');
  } finally {
    if (api.child.exitCode === null) api.child.kill('SIGKILL');
    await db.drop();
    await dropRedisKeys({ redisUrl: 'redis://127.0.0.1:6379', redisKeyPrefix });
  }
});
