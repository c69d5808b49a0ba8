import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Logger } from './logger.ts';

export interface ApiCluster {
  /** Resolves once `count` API processes have come to listen (replacements included). */
  listening: Promise<void>;
  /** SIGTERM to every API process (each drains as `start:api` does); resolves when all have exited. */
  close(): Promise<void>;
}

/**
 * `npm start` on a machine with several cores: `count` API processes, forked from this one and
 * sharing its port (node:cluster hands each new connection to the next process in turn). One
 * that dies is replaced after a second; the processes share nothing in memory, as any two API
 * instances do.
 */
export function forkApiProcesses(count: number, logger: Logger): ApiCluster {
  let stopping = false;
  let listened = 0;
  let allListening: () => void;
  const listening = new Promise<void>((resolve) => (allListening = resolve));
  cluster.on('listening', () => {
    if (++listened >= count) allListening();
  });
  const fork = (): Worker => {
    const worker = cluster.fork({ GAVEL_CLUSTER_ROLE: 'api' });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ pid: worker.process.pid, code, signal }, 'an API process exited; starting another');
      setTimeout(() => {
        if (!stopping) fork();
      }, 1000).unref();
    });
    return worker;
  };
  for (let i = 0; i < count; i++) fork();
  return {
    listening,
    async close() {
      stopping = true;
      const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
      await Promise.all(
        running.map((worker) => {
          const exited = once(worker, 'exit');
          worker.process.kill('SIGTERM');
          return exited;
        }),
      );
    },
  };
}

/** Whether this process is one of the API processes `forkApiProcesses` started. */
export const isForkedApiProcess = () => cluster.isWorker && process.env.GAVEL_CLUSTER_ROLE === 'api';

/**
 * In a forked API process: when the first process is gone (it stopped, or was killed) there is
 * no one to hand out connections or to replace this one, so it goes too rather than linger.
 */
export function exitWithFirstProcess(logger: Logger): void {
  process.on('disconnect', () => {
    logger.warn('the first process of npm start is gone; exiting');
    process.exit(0);
  });
  // Talking to a first process that is already gone (listening during its shutdown) fails with EPIPE.
  cluster.worker?.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}
