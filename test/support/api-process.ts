import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_JWT_SECRET } from './secrets.ts';

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ApiProcess {
  port: number;
  child: ChildProcess;
  /** SIGTERM, and the exit code and how long the process took to exit. */
  terminate(): Promise<{ code: number | null; ms: number }>;
}

/**
 * What test harnesses run an API with: the admission bound far above any test's concurrency and no
 * shedding on event-loop delay (a busy shared machine lags now and then), so ordinary tests are
 * never shed. Load shedding is tested with its own settings (test/operations/overload.test.ts).
 */
export const UNSHED_ENV = { API_MAX_IN_FLIGHT: '10000', API_MAX_QUEUED: '10000', API_MAX_EVENT_LOOP_DELAY_MS: '0' };

/**
 * `node main/api.ts` as its own process, as production runs it (or `main/all.ts`, as `npm start`
 * runs API and workers); resolves when /health/ready is 200.
 */
export async function startApiProcess(env: Record<string, string>, port?: number, entry: 'api' | 'all' = 'api'): Promise<ApiProcess> {
  const listenPort = port ?? (await freePort());
  const child = spawn(process.execPath, [fileURLToPath(new URL(`../../main/${entry}.ts`, import.meta.url))], {
    // Tests sign up in one call (PHONE_VERIFICATION=off), which production refuses to start with.
    // Signed with the tests' key unless the caller names one: the development key is refused outside development.
    env: { ...process.env, LOG_LEVEL: 'warn', JWT_SECRET: TEST_JWT_SECRET, ...UNSHED_ENV, ...(env.NODE_ENV === 'production' ? {} : { PHONE_VERIFICATION: 'off' }), ...env, PORT: String(listenPort) },
    stdio: ['ignore', process.env.BENCH_API_STDOUT ? 'inherit' : 'ignore', 'inherit'],
  });
  // `npm start` migrates, starts the workers and forks its API processes first.
  const deadline = Date.now() + (entry === 'all' ? 60_000 : 20_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`api process exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${listenPort}/health/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('api process did not become ready');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: listenPort,
    child,
    async terminate() {
      const started = Date.now();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return { code, ms: Date.now() - started };
    },
  };
}
