import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JobQueues } from '../../infra/job-queues.ts';
import { QUEUE_NAMES } from '../../domain/follow-ups/job-contract.ts';
import type { TestApi } from './api.ts';
import { holdRedisPrefix } from './redis-keys.ts';
import { FAKE_AWS_ENV, waitFor, type LogLine } from './workers.ts';
import { TEST_JWT_SECRET } from './secrets.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Every JSON log line the process wrote (LOG_LEVEL warn unless overridden). */
  logs: LogLine[];
  /** Anything it wrote that was not a JSON log line (stack traces, runtime warnings). */
  otherOutput: string[];
  exited: Promise<Exit>;
  running(): boolean;
}

const spawned = new Set<WorkerProcess>();

/**
 * `node main/worker.ts` (what `npm run start:worker` runs) against the test's database and Redis
 * key prefix, with SNS pointed wherever `env.SNS_ENDPOINT` says.
 */
export function spawnWorkerProcess(app: TestApi, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['main/worker.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...FAKE_AWS_ENV,
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: app.db.url,
      REDIS_URL: app.deps.config.redisUrl,
      REDIS_KEY_PREFIX: app.deps.config.redisKeyPrefix,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const otherOutput: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines.filter(Boolean)) {
        try {
          logs.push(JSON.parse(line) as LogLine);
        } catch {
          otherOutput.push(line);
        }
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const prefix = holdRedisPrefix(app.deps.config);
  // Its connections are gone with the process; the keys go with the last harness on the prefix.
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))).then(async (exit) => {
    await prefix.release();
    return exit;
  });
  const worker: WorkerProcess = {
    child,
    pid: child.pid!,
    logs,
    otherOutput,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
  };
  spawned.add(worker);
  void exited.finally(() => spawned.delete(worker)).catch(() => undefined);
  return worker;
}

/** Waits until `count` worker processes serve every queue (BullMQ lists its workers' connections). */
export async function waitForWorkerCount(jobs: JobQueues, count: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    `${count} workers on every queue`,
    async () => {
      for (const name of QUEUE_NAMES) if ((await jobs.queues[name].getWorkersCount()) < count) return false;
      return true;
    },
    timeoutMs,
    100,
  );
}

/** Ends whatever worker process a test left running (for test.after.always). */
export async function killWorkerProcesses(): Promise<void> {
  await Promise.all(
    [...spawned].map(async (worker) => {
      if (worker.running()) worker.child.kill('SIGKILL');
      await worker.exited;
    }),
  );
}

/** Sends SIGTERM and waits for the exit, SIGKILLing after `timeoutMs` so a test never hangs. */
export async function stopWorkerProcess(worker: WorkerProcess, timeoutMs = 10_000): Promise<Exit & { ms: number }> {
  const started = Date.now();
  if (worker.running()) worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), timeoutMs);
  const exit = await worker.exited;
  clearTimeout(timer);
  return { ...exit, ms: Date.now() - started };
}
