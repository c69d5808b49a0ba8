import type { Middleware } from 'koa';
import type { Orm } from '../../infra/database.ts';
import type { AppState } from '../context.ts';

/** One ORM context per request: nothing leaks between requests through the identity map. */
export function entityManagerPerRequest(orm: Orm): Middleware<AppState> {
  return async (ctx, next) => {
    ctx.state.em = orm.em.fork();
    await next();
  };
}
