import type { Logger } from './logger.ts';
import { flushTraces } from './trace-context.ts';

/**
 * Runs `stop` once on SIGTERM or SIGINT and exits; a second signal, or a stop that overruns
 * `deadlineMs`, exits at once so an orchestrator never has to escalate to SIGKILL.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, deadlineMs = 25_000, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, deadlineMs).unref();
    stop()
      .then(() => flushTraces())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  for (const signal of signals) process.on(signal, handle);
}

export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    // Configuration errors are for humans: print the message, not a stack.
    console.error(error instanceof Error && error.name === 'ConfigError' ? error.message : error);
    process.exit(1);
  }
}
