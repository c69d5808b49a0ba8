import type { Middleware } from 'koa';
import type { AccessTokens } from '../../domain/accounts/access-tokens.ts';
import { unauthorized } from '../../domain/errors.ts';
import type { CallerAccounts } from '../../infra/caller-accounts.ts';
import type { AppState } from '../context.ts';

/**
 * Reads a bearer token when one is sent. Whether a route needs a caller is the route's business
 * (`auth: 'required'`), but a token that is present and bad is always a 401. The account is looked
 * up on every request (in this process's copies, which PostgreSQL's change announcements keep
 * current), so a deleted account's token stops working at once and a role change (an admin
 * demoted) or a suspension takes effect without waiting for the token to expire.
 */
export function authenticate(accessTokens: AccessTokens, callers: CallerAccounts, options: { ownCredentials?: ReadonlySet<string> } = {}): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    // Paths whose bearer token is not an access token (the metrics token) check it themselves.
    if (header && !options.ownCredentials?.has(ctx.path)) {
      const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
      if (!match) throw unauthorized('invalid-token', 'Send the access token as "Authorization: Bearer <token>".');
      const { userId, sessionId } = accessTokens.verify(match[1]!);
      const account = await callers.find(ctx.state.em, userId);
      if (!account) throw unauthorized('invalid-token', 'The account behind this token no longer exists.');
      if (account.suspended) throw unauthorized('account-suspended', 'This account is suspended.');
      ctx.state.caller = { userId, role: account.role, ...(sessionId ? { sessionId } : {}) };
    }
    await next();
  };
}
