import type { Middleware } from 'koa';
import type { Orm } from '../../infra/database.ts';
import type { AppState } from '../context.ts';

/**
 * One ORM context per request: nothing leaks between requests through the identity map. Routes
 * whose reads may lag get theirs on the replica (`readEm`, the primary when there is none).
 */
export function entityManagerPerRequest(orm: Orm, readOrm: Orm = orm): Middleware<AppState> {
  return async (ctx, next) => {
    ctx.state.em = orm.em.fork();
    ctx.state.readEm = readOrm === orm ? ctx.state.em : readOrm.em.fork();
    await next();
  };
}

/** For a request that outlives its work (an event stream): drops its ORM contexts. */
export function forgetRequestOrm(ctx: { state: Partial<Pick<AppState, 'em' | 'readEm'>> }): void {
  delete ctx.state.em;
  delete ctx.state.readEm;
}
