import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RefreshToken } from './refresh-token.entity.ts';
import type { User } from './user.entity.ts';

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** An opaque random token; only its hash is stored, so a database leak yields no usable token. */
export function issueRefreshToken(em: EntityManager, user: User, ttlS: number, familyId: string): string {
  const token = randomBytes(32).toString('base64url');
  em.create(RefreshToken, {
    user,
    familyId,
    tokenHash: hashRefreshToken(token),
    expiresAt: new Date(Date.now() + ttlS * 1000),
  });
  return token;
}

export async function revokeFamily(em: EntityManager, familyId: string): Promise<void> {
  await em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: new Date() });
}

/** Whether a login (a refresh token family) is still open: logging out or a detected reuse closes it. */
export async function loginIsOpen(em: EntityManager, familyId: string): Promise<boolean> {
  return (await em.count(RefreshToken, { familyId, revokedAt: null })) > 0;
}
