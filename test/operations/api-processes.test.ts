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
    await waitFor('two API processes', async () => (await childrenOf(pid)).length === 2);
    const [first] = await childrenOf(pid);
    process.kill(first!, 'SIGKILL');
    // Once the first process has seen it go, the survivor takes every new connection meanwhile.
    await waitFor('the first process to see it exit', async () => !(await childrenOf(pid)).includes(first!));
    // A connection handed out in the instant before the first process had taken the dead one out
    // of its rotation is reset; a client's one retry then lands on the survivor.
    const get = () => fetch(`${base}/v1/categories`, { headers: { connection: 'close' } });
    for (let i = 0; i < 10; i++) t.is((await get().catch(get)).status, 200);
    await waitFor('a replacement', async () => {
      const now = await childrenOf(pid);
      return now.length === 2 && !now.includes(first!);
    });
    const ready = () => fetch(`${base}/health/ready`);
    t.is((await ready().catch(ready)).status, 200);

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
