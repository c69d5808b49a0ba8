import { z } from 'zod';
import type { AppDeps } from '../context.ts';
import { defineRoute, type Route } from '../route.ts';

const Health = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.enum(['ok', 'failed', 'shutting_down'])).optional() });

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

export function healthRoutes(deps: AppDeps): Route[] {
  const tags = ['Operations'];
  return [
    defineRoute(
      {
        method: 'get', path: '/health/live', operationId: 'live', summary: 'The process is running', tags, auth: 'none',
        responses: { 200: { description: 'Alive', schema: Health } },
        problems: [],
      },
      async () => ({ status: 200, body: { status: 'ok' } }),
    ),
    defineRoute(
      {
        method: 'get', path: '/health/ready', operationId: 'ready', tags, auth: 'none',
        summary: 'PostgreSQL and Redis answer and the process is not shutting down',
        responses: { 200: { description: 'Ready', schema: Health }, 503: { description: 'Not ready', schema: Health } },
        problems: [],
      },
      async () => {
        const [database, redis] = await Promise.all([
          withTimeout(deps.orm.em.fork().execute('select 1'), 2000).then(() => 'ok' as const, () => 'failed' as const),
          withTimeout(deps.redis.ping(), 2000).then(() => 'ok' as const, () => 'failed' as const),
        ]);
        const process = deps.lifecycle.shuttingDown ? ('shutting_down' as const) : ('ok' as const);
        const ready = database === 'ok' && redis === 'ok' && process === 'ok';
        return { status: ready ? 200 : 503, body: { status: ready ? 'ok' : 'unavailable', checks: { database, redis, process } } };
      },
    ),
  ];
}
