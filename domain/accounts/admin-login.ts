import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import type { Caller } from './access-tokens.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { login } from './login.ts';
import { closeLogin } from './refresh.ts';
import type { AccountDeps, Session } from './session.ts';

/**
 * An operator's login for the browser pages under /admin: the ordinary login (same password check,
 * same throttle), kept only when the account is an admin. A user's login is closed again at once,
 * so the refused attempt leaves no session behind.
 */
export async function adminLogin(
  em: EntityManager,
  deps: AccountDeps & { loginThrottle: LoginThrottle; followUps: FollowUpDispatcher },
  input: { phone: string; password: string; address: string },
): Promise<Session & { caller: Caller }> {
  const session = await login(em, deps, input);
  const caller = deps.accessTokens.verify(session.accessToken);
  if (session.user.role !== 'admin') {
    await closeLogin(em, deps.followUps, caller);
    throw forbidden('admin-only', 'Only administrators can sign in here.');
  }
  return { ...session, caller };
}
