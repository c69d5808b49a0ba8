import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Middleware } from 'koa';
import { forbidden, unauthorized } from '../../domain/errors.ts';
import type { JobQueues } from '../../infra/job-queues.ts';
import type { AppState } from '../context.ts';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** Everything under /admin is for callers whose account has the admin role (checked per request). */
export const adminOnly: Middleware<AppState> = async (ctx, next) => {
  if (ctx.path !== '/admin' && !ctx.path.startsWith('/admin/')) return next();
  if (!ctx.state.caller) throw unauthorized('authentication-required', 'Send an admin access token as "Authorization: Bearer <token>".');
  if (ctx.state.caller.role !== 'admin') throw forbidden('admin-only', 'Only administrators can open this page.');
  await next();
};

/** Bull Board, for operators to watch and retry jobs. */
export function queueBoard(jobs: JobQueues): Middleware<AppState> {
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: Object.values(jobs.queues).map((queue) => new BullMQAdapter(queue)), serverAdapter });
  return serverAdapter.registerPlugin() as unknown as Middleware<AppState>;
}
