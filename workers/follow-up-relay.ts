import type { WorkerContext } from './context.ts';

export interface RunningRelay {
  stop(): Promise<void>;
}

/**
 * The recovery path of follow-ups: every second, carry out what was committed but never carried
 * out (its process died after the commit, or Redis was down). The normal path, the dispatcher in
 * the process that committed, leaves nothing for it to do.
 */
export function startFollowUpRelay(ctx: WorkerContext, options: { intervalMs?: number; graceMs?: number } = {}): RunningRelay {
  const intervalMs = options.intervalMs ?? 1000;
  // Stranded notifications are looked for once per sweep interval (see RelayOptions.notifications).
  const notificationEvery = Math.max(1, Math.round((ctx.config.workers.sweepIntervalS * 1000) / intervalMs));
  let pass = 0;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    // A pass slower than the interval (Redis timing out) is not stacked up behind.
    if (busy) return;
    busy = true;
    running = (async () => {
      try {
        const relayed = await ctx.followUps.relayStranded({
          ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
          notifications: pass++ % notificationEvery === 0,
        });
        if (relayed.events || relayed.userEvents || relayed.jobs || relayed.notifications) ctx.logger.info({ relayed }, 'relay carried out stranded follow-ups');
      } catch (error) {
        ctx.logger.warn({ err: error }, 'follow-up relay pass failed; will retry');
      } finally {
        busy = false;
      }
    })();
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
