import type { Middleware } from 'koa';
import type { AccessTokens } from '../../domain/accounts/access-tokens.ts';
import { unauthorized } from '../../domain/errors.ts';
import type { AppState } from '../context.ts';

/**
 * Reads a bearer token when one is sent. Whether a route needs a caller is the route's business
 * (`auth: 'required'`), but a token that is present and bad is always a 401.
 */
export function authenticate(accessTokens: AccessTokens): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    if (header) {
      const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
      if (!match) throw unauthorized('invalid-token', 'Send the access token as "Authorization: Bearer <token>".');
      ctx.state.caller = accessTokens.verify(match[1]!);
    }
    await next();
  };
}
