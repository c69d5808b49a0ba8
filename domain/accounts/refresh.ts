import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { unauthorized } from '../errors.ts';
import type { Caller } from './access-tokens.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import type { UserStreamControl } from '../user-stream/user-event-log.ts';
import { RefreshToken } from './refresh-token.entity.ts';
import { hashRefreshToken, revokeFamily } from './refresh-tokens.ts';
import { openSession, type AccountDeps, type Session } from './session.ts';
import { User } from './user.entity.ts';

const rejected = () => unauthorized('invalid-refresh-token', 'The refresh token is invalid, expired or revoked.');

/**
 * Rotates a refresh token. A token presented twice means it leaked (or a client raced itself):
 * the whole family is revoked, so whoever holds the newer token is logged out too.
 */
export async function refreshSession(em: EntityManager, deps: AccountDeps & { followUps: FollowUpDispatcher }, refreshToken: string): Promise<Session> {
  const outcome = await transactionWithFollowUps(em, deps.followUps, async (tx) => {
    // The row lock makes two concurrent uses of one token see each other: one rotates, one is reuse.
    const stored = await tx.findOne(
      RefreshToken,
      { tokenHash: hashRefreshToken(refreshToken) },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!stored || stored.revokedAt) return { value: null };
    if (stored.usedAt) {
      await revokeFamily(tx, stored.familyId);
      return { value: null, followUps: { userControls: [sessionClosed(stored.user.id, stored.familyId)] } };
    }
    if (stored.expiresAt <= new Date()) return { value: null };
    const user = await tx.findOne(User, stored.user.id);
    if (!user) return { value: null };
    stored.usedAt = new Date();
    return { value: openSession(tx, deps, user, stored.familyId) };
  });
  // Thrown after commit so that the revocation above is not rolled back with the error.
  if (!outcome) throw rejected();
  return outcome;
}

/** Revokes the token's whole family (the login) and ends the streams opened with it. */
export async function logout(em: EntityManager, followUps: FollowUpDispatcher, refreshToken: string): Promise<void> {
  await transactionWithFollowUps(em, followUps, async (tx) => {
    const stored = await tx.findOne(RefreshToken, { tokenHash: hashRefreshToken(refreshToken) });
    if (!stored) return { value: undefined };
    await revokeFamily(tx, stored.familyId);
    return { value: undefined, followUps: { userControls: [sessionClosed(stored.user.id, stored.familyId)] } };
  });
}

/** Closes the login an access token names (a browser session whose only credential is that token). */
export async function closeLogin(em: EntityManager, followUps: FollowUpDispatcher, caller: Caller): Promise<void> {
  const { userId, sessionId } = caller;
  if (!sessionId) return;
  await transactionWithFollowUps(em, followUps, async (tx) => {
    await revokeFamily(tx, sessionId);
    return { value: undefined, followUps: { userControls: [sessionClosed(userId, sessionId)] } };
  });
}

const sessionClosed = (userId: string, sessionId: string): UserStreamControl => ({ control: 'session-closed', userId, sessionId });
