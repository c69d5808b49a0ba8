import { DomainError } from '../../domain/errors.ts';
import type { AppContext, AppDeps } from '../context.ts';
import { forgetRequestOrm } from '../middleware/entity-manager.ts';
import type { Reply } from '../route.ts';
import { EventStream, type SequencedEvent, type StreamSource } from './event-stream.ts';

export const EVENT_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  // nginx and similar proxies would otherwise hold events back in their buffers.
  'X-Accel-Buffering': 'no',
};

/**
 * What every event stream route does once it knows the stream is wanted: refuse while shutting
 * down, hold a slot of the per-address cap, register for shutdown, start, answer 200.
 */
export async function serveEventStream<E extends SequencedEvent>(
  deps: AppDeps,
  ctx: AppContext,
  source: StreamSource<E>,
  lastEventId: number | null,
  options: { presenceOf?: string } = {},
): Promise<Reply> {
  if (deps.lifecycle.shuttingDown) throw Object.assign(new Error('This instance is shutting down; reconnect.'), { status: 503, expose: true });
  const settings = deps.config.sse;
  const slot = await deps.streamLimiter.acquire(ctx.ip);
  if (!slot) {
    throw new DomainError('rate_limited', 'too-many-streams', `At most ${settings.maxStreamsPerAddress} open streams per address.`, { retryAfterS: 30 });
  }
  let unregister: () => void = () => undefined;
  const present = options.presenceOf ? deps.presence.track(options.presenceOf) : null;
  // Written straight to the response: Koa is told to leave it alone, and helmet's and the
  // request's headers already set on it go out with these. Corked until the live subscription is
  // confirmed (or refused): a client that sees the answer begin is already being listened for.
  ctx.respond = false;
  ctx.res.statusCode = 200;
  for (const [name, value] of Object.entries(EVENT_STREAM_HEADERS)) ctx.res.setHeader(name, value);
  ctx.res.cork();
  const stream = new EventStream(ctx.res, source, settings, lastEventId, {
    onEnd: () => {
      slot.release();
      present?.release();
      unregister();
    },
    onHeartbeat: () => {
      slot.touch();
      present?.touch();
    },
  });
  unregister = deps.streams.add(stream);
  ctx.req.on('close', () => stream.end());
  // The response keeps its Koa context alive for as long as the stream is open (Koa waits on it
  // to finish); the request's ORM contexts are of no more use to it, and cost memory per stream.
  forgetRequestOrm(ctx);
  try {
    await stream.start();
  } finally {
    ctx.res.uncork();
  }
  return { status: 200 };
}
