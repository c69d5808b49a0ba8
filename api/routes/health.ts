import { once } from 'node:events';
import { z } from 'zod';
import { classifyDependencyFailure } from '../../infra/dependency-failures.ts';
import { Cluster, type Redis } from '../../infra/redis.ts';
import type { AppDeps } from '../context.ts';
import { PROBLEM_TYPE_BASE } from '../middleware/problem.ts';
import { defineRoute, type Route } from '../route.ts';

const Health = z.object({ status: z.literal('ok'), checks: z.record(z.string(), z.literal('ok')).optional() });

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

/** Right after start the connection may still be opening; that is a slow answer, not an outage. */
async function pingRedis(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'connecting' || redis.status === 'connect') await once(redis, 'ready', { signal: AbortSignal.timeout(ms) });
  // On a cluster every shard must answer: each holds part of the keys and channels.
  if (redis instanceof Cluster) await withTimeout(Promise.all(redis.nodes('master').map((node) => node.ping())), ms);
  else await withTimeout(redis.ping(), ms);
}

export function healthRoutes(deps: AppDeps): Route[] {
  const tags = ['Operations'];
  return [
    defineRoute(
      {
        method: 'get', path: '/health/live', operationId: 'live', summary: 'The process is running', tags, auth: 'none',
        description: 'Answers 200 while the process runs, whatever the state of PostgreSQL and Redis; for a liveness probe (readiness is `GET /health/ready`).',
        responses: { 200: { description: 'Alive', schema: Health } },
        problems: [],
      },
      async () => ({ status: 200, body: { status: 'ok' } }),
    ),
    defineRoute(
      {
        method: 'get', path: '/health/ready', operationId: 'ready', tags, auth: 'none',
        summary: 'PostgreSQL and Redis answer and the process is not shutting down',
        description: 'When not ready, a 503 problem whose `checks` say which part failed.',
        responses: { 200: { description: 'Ready', schema: Health } },
        problems: [503],
      },
      async ({ ctx }) => {
        const ms = deps.config.readinessTimeoutMs;
        // The database is asked on a connection of its own: requests saturating the pool make this
        // instance busy (they are shed), not its database dead.
        const [database, redis] = await Promise.all([
          withTimeout(deps.databaseProbe.check(), ms).then(
            () => {
              deps.dependencies.database.recovered();
              return 'ok' as const;
            },
            (error: unknown) => {
              if (classifyDependencyFailure(error)?.reason === 'unavailable') deps.dependencies.database.failed(error);
              return 'failed' as const;
            },
          ),
          pingRedis(deps.redis, ms).then(() => 'ok' as const, () => 'failed' as const),
        ]);
        const process = deps.lifecycle.shuttingDown ? ('shutting_down' as const) : ('ok' as const);
        const checks = { database, redis, process };
        if (database === 'ok' && redis === 'ok' && process === 'ok') return { status: 200, body: { status: 'ok', checks } };
        // Like every 4xx/5xx, a 503 is problem+json; load balancers read only the status.
        return {
          status: 503,
          headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' },
          body: {
            type: `${PROBLEM_TYPE_BASE}not-ready`,
            title: 'Service Unavailable',
            status: 503,
            detail: 'Not ready to take traffic.',
            checks,
            requestId: ctx.state.requestId,
          },
        };
      },
    ),
  ];
}
