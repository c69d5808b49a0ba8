import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden } from '../errors.ts';
import { newId } from '../shared/ids.ts';
import type { AccessTokens } from './access-tokens.ts';
import { issueRefreshToken } from './refresh-tokens.ts';
import type { User } from './user.entity.ts';

export interface AccountDeps {
  accessTokens: AccessTokens;
  refreshTokenTtlS: number;
}

export interface Session {
  user: User;
  accessToken: string;
  refreshToken: string;
}

/**
 * A new token pair; the refresh token starts a family unless it continues one. The caller flushes.
 * A suspended account gets none, whichever way it asks (login, refresh).
 */
export function openSession(em: EntityManager, deps: AccountDeps, user: User, familyId?: string): Session {
  if (user.suspendedAt) throw forbidden('account-suspended', 'This account is suspended.');
  // The family is the login: its access tokens name it, so closing it can end that login's streams.
  const sessionId = familyId ?? newId();
  return {
    user,
    accessToken: deps.accessTokens.issue({ userId: user.id, role: user.role, sessionId }),
    refreshToken: issueRefreshToken(em, user, deps.refreshTokenTtlS, sessionId),
  };
}
