import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthorized } from '../errors.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { decoyHash, passwordMatches } from './passwords.ts';
import { openSession, type AccountDeps, type Session } from './session.ts';
import { User } from './user.entity.ts';

export async function login(
  em: EntityManager,
  deps: AccountDeps & { loginThrottle: LoginThrottle },
  input: { phone: string; password: string; address: string },
): Promise<Session> {
  // Spent before the password is checked: a burst cannot slip more checks in than the limit.
  const attempt = await deps.loginThrottle.attempt(input.phone, input.address);
  const user = await em.findOne(User, { phone: input.phone });
  const matches = await passwordMatches(user?.passwordHash ?? (await decoyHash()), input.password);
  // One answer for "no such phone" and "wrong password", so the endpoint cannot probe accounts.
  if (!user || !matches) throw unauthorized('invalid-credentials', 'The phone number or password is wrong.');
  await attempt.succeeded();
  const session = openSession(em, deps, user);
  await em.flush();
  return session;
}
