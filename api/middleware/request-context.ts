import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../infra/logger.ts';
import { runWithRequestId } from '../../infra/request-origin.ts';
import type { AppState } from '../context.ts';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Outermost middleware: gives the request an id (a caller's own id is kept when it looks safe,
 * so a trace can cross a load balancer), a logger bound to it, and one access-log line.
 */
export function requestContext(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      // Follow-ups this request causes carry its id into the workers' log lines.
      await runWithRequestId(requestId, next);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Only the route template is logged: paths and query strings can carry personal data.
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      ctx.state.log.info({ method: ctx.method, route, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
    }
  };
}
