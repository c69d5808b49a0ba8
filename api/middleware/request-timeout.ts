import type { Middleware } from 'koa';
import type { AppState } from '../context.ts';

/** Event streams are long-lived by design, and photo bytes may come slowly; every other request has a deadline. */
const STREAMING = /^\/v1\/(auctions\/[^/]+\/events|uploads\/[^/]+\/content)$/;

/**
 * Answers when a request takes longer than `ms`, so neither a stuck dependency nor a slow client
 * can hold a connection forever. If the client has not even finished sending its body by then, the
 * fault is the client's: 408, and the connection is closed rather than read to its end. Otherwise
 * 503 (ours). Work already under way still finishes (a transaction commits or rolls back whole);
 * writes that matter take an Idempotency-Key, so a client can safely ask again.
 */
export function requestTimeout(ms: number): Middleware<AppState> {
  return async (ctx, next) => {
    if (STREAMING.test(ctx.path)) return next();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (!ctx.req.complete) {
          ctx.set('Connection', 'close');
          reject(Object.assign(new Error(`The request body did not arrive within ${ms} ms.`), { status: 408, expose: true, code: 'request-body-timeout' }));
          return;
        }
        reject(Object.assign(new Error(`The request took longer than ${ms} ms.`), { status: 503, expose: true, code: 'request-timeout' }));
      }, ms);
    });
    try {
      await Promise.race([next(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
}
