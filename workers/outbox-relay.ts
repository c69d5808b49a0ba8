import { relayUnpublishedEvents } from '../domain/auctions/outbox.ts';
import type { WorkerContext } from './context.ts';

export interface RunningRelay {
  stop(): Promise<void>;
}

/**
 * The recovery path of event delivery: every second, publish committed events nobody published.
 * The normal path (the process that committed publishes at once) leaves nothing for it to do.
 */
export function startOutboxRelay(ctx: WorkerContext, options: { intervalMs?: number; graceMs?: number } = {}): RunningRelay {
  const intervalMs = options.intervalMs ?? 1000;
  const publish = (event: Parameters<WorkerContext['events']['publishOnly']>[0]) => ctx.events.publishOnly(event);
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      try {
        const relayed = await relayUnpublishedEvents(ctx.orm.em.fork(), publish, { graceMs: options.graceMs ?? 2000, limit: 500 });
        if (relayed) ctx.logger.info({ relayed }, 'outbox relay published stranded events');
      } catch (error) {
        ctx.logger.warn({ err: error }, 'outbox relay pass failed; will retry');
      }
    });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
