import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { SmsSender } from '../../domain/notifications/sms-sender.ts';
import { closeInfrastructure, createInfrastructure } from '../../infra/infrastructure.ts';
import type { JobQueues } from '../../infra/job-queues.ts';
import type { Metrics } from '../../infra/metrics.ts';
import { jobs, type JobPayloads } from '../../domain/follow-ups/job-contract.ts';
import { startWorkers, type WorkerOptions } from '../../workers/start-workers.ts';
import type { TestApi } from './api.ts';
import { dropRedisKeys as dropKeysUnder, holdRedisPrefix } from './redis-keys.ts';

/** Moved to listings.ts with the other set-up builders; kept so existing imports keep working. */
export { listAuction, placeBid, type AuctionListingInput } from './listings.ts';

/** Credentials the SDK signs with; the SNS stand-ins never check them. */
export const FAKE_AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIAGAVELTESTONLY000', AWS_SECRET_ACCESS_KEY: 'gavel-test-secret-not-a-real-key', AWS_REGION: 'ap-northeast-2' };

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** Log lines that mean a job went wrong: a failed attempt (even one retried later) or an error. */
export const troubleIn = (lines: LogLine[]) => lines.filter((line) => line.msg === 'job failed' || line.level >= 50);

/** Polls until `probe` gives a truthy value; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false | 0>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function sql<Row = any>(app: TestApi, text: string, params: unknown[] = []): Promise<Row[]> {
  return app.db.orm.em.fork().execute<Row[]>(text, params);
}

export interface InProcessWorkers {
  /** Warnings and errors the workers logged (LOG_LEVEL warn), parsed. */
  logs: LogLine[];
  /** The workers' own producer. */
  jobs: JobQueues;
  /** The workers' own registry (job durations, job wait). */
  metrics: Metrics;
  close(): Promise<void>;
}

/** The real workers (workers/start-workers.ts) inside the test process, against the test's database and prefix. */
export async function startInProcessWorkers(app: TestApi, sms: SmsSender, options: WorkerOptions = {}): Promise<InProcessWorkers> {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  // The wiring of main/worker.ts (its own infrastructure on the test's database), with the test's SMS sender.
  const ctx = { ...(await createInfrastructure(app.deps.config, { process: 'worker', logger, orm: app.db.orm })), sms };
  const workers = await startWorkers(ctx, options);
  // Past the start-up pass (schedule asserted, jobs declared again), so no test races it.
  await workers.scheduled;
  const prefix = holdRedisPrefix(app.deps.config);
  return {
    logs,
    jobs: ctx.jobs,
    metrics: ctx.metrics,
    async close() {
      await workers.close();
      await closeInfrastructure(ctx, { keepOrm: true });
      await prefix.release();
    },
  };
}

export interface SentSms {
  phone: string;
  message: string;
  at: number;
}

/** An SmsSender that only records, for tests whose subject is not SNS. */
export function recordingSms(): SmsSender & { sent: SentSms[]; to(phone: string): SentSms[] } {
  const sent: SentSms[] = [];
  return {
    sent,
    to: (phone) => sent.filter((s) => s.phone === phone),
    async send(phone, message) {
      sent.push({ phone, message, at: Date.now() });
      return { messageId: `fake-${sent.length}` };
    },
  };
}

/** Enqueues the close job exactly as creating an auction declares it (deterministic id, delayed to the end). */
export async function scheduleClose(app: TestApi, auctionId: string, endsAt: Date): Promise<void> {
  const job = jobs.closeAuction(auctionId, endsAt);
  await app.deps.jobs.enqueue('close-auction', job.payload as JobPayloads['close-auction'], { jobId: job.jobId, delayMs: endsAt.getTime() - Date.now() });
}

/** Failed jobs, and jobs that completed only after failed attempts, in every queue. */
export async function jobTrouble(jobs: JobQueues): Promise<string[]> {
  const trouble: string[] = [];
  for (const [name, queue] of Object.entries(jobs.queues)) {
    for (const job of await queue.getJobs(['failed'], 0, 1000)) trouble.push(`${name}/${job.id} failed: ${job.failedReason}`);
    // Every failed attempt leaves its stack trace on the job, even when a retry then succeeded.
    for (const job of await queue.getJobs(['completed', 'delayed', 'wait', 'active'], 0, 5000)) {
      if (job.stacktrace?.length || job.failedReason) trouble.push(`${name}/${job.id} failed ${job.stacktrace?.length ?? 0} attempt(s): ${job.failedReason}`);
    }
  }
  return trouble;
}

/** Phone numbers in the forms an SMS could show them: E.164 and the Korean local form. */
export const phoneForms = (phone: string) => [phone, phone.replace(/^\+82/, '0'), phone.slice(1)];

/**
 * Removes every Redis key under the app's prefix. `app.close()` does it by itself now (see
 * redis-keys.ts); kept so that callers elsewhere keep working.
 */
export async function dropRedisKeys(app: TestApi): Promise<void> {
  await dropKeysUnder(app.deps.config);
}
