import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { unauthorized } from '../errors.ts';
import { RefreshToken } from './refresh-token.entity.ts';
import { hashRefreshToken, revokeFamily } from './refresh-tokens.ts';
import { openSession, type AccountDeps, type Session } from './session.ts';
import { User } from './user.entity.ts';

const rejected = () => unauthorized('invalid-refresh-token', 'The refresh token is invalid, expired or revoked.');

/**
 * Rotates a refresh token. A token presented twice means it leaked (or a client raced itself):
 * the whole family is revoked, so whoever holds the newer token is logged out too.
 */
export async function refreshSession(em: EntityManager, deps: AccountDeps, refreshToken: string): Promise<Session> {
  const outcome = await em.transactional(async (tx) => {
    // The row lock makes two concurrent uses of one token see each other: one rotates, one is reuse.
    const stored = await tx.findOne(
      RefreshToken,
      { tokenHash: hashRefreshToken(refreshToken) },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!stored || stored.revokedAt) return null;
    if (stored.usedAt) {
      await revokeFamily(tx, stored.familyId);
      return null;
    }
    if (stored.expiresAt <= new Date()) return null;
    const user = await tx.findOne(User, stored.user.id);
    if (!user) return null;
    stored.usedAt = new Date();
    return openSession(tx, deps, user, stored.familyId);
  });
  // Thrown after commit so that the revocation above is not rolled back with the error.
  if (!outcome) throw rejected();
  return outcome;
}

export async function logout(em: EntityManager, refreshToken: string): Promise<void> {
  const stored = await em.findOne(RefreshToken, { tokenHash: hashRefreshToken(refreshToken) });
  if (stored) await revokeFamily(em, stored.familyId);
}
