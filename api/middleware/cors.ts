import cors from '@koa/cors';
import type { Middleware } from 'koa';
import type { AppState } from '../context.ts';

/**
 * Cross-origin calls from the browser origins in CORS_ORIGINS only; any other origin gets no CORS
 * header at all, so the browser keeps its answers from the page. Bearer tokens are no cookies, so
 * credentials stay off (and the admin cookie never travels cross-origin: it is SameSite=Strict).
 */
export function corsForOrigins(origins: readonly string[]): Middleware<AppState> {
  const allowed = new Set(origins);
  const middleware = cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : false;
    },
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID'],
    exposeHeaders: ['Retry-After', 'Location'],
    maxAge: 600,
  });
  // Vary: Origin even for refused origins, so a shared cache never serves one origin's answer to another.
  return async (ctx, next) => {
    if (allowed.size > 0) ctx.vary('Origin');
    return (middleware as unknown as Middleware<AppState>)(ctx, next);
  };
}
