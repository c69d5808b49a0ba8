import type { EntityManager } from '@mikro-orm/postgresql';
import { invalid, notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';

/**
 * Suspends an account: its access tokens are refused from the next request (the account is read
 * on every request), its refresh token families are revoked, no new session opens, its own
 * streams are told to end, and its conversations turn read-only. Bids it placed stand (they were
 * valid when placed); README "Choices" says what follows for auctions it leads.
 */
export async function suspendUser(em: EntityManager, followUps: FollowUpDispatcher, adminId: string, userId: string): Promise<{ suspendedAt: Date }> {
  if (adminId === userId) throw invalid('cannot-suspend-self', 'An admin cannot suspend their own account.');
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const [row] = await tx.execute<{ suspended_at: Date }[]>(
      'update users set suspended_at = coalesce(suspended_at, now()), updated_at = now() where id = ? returning suspended_at',
      [userId],
    );
    if (!row) throw notFound('user');
    await tx.execute('update refresh_tokens set revoked_at = now() where user_id = ? and revoked_at is null', [userId]);
    return { value: { suspendedAt: new Date(row.suspended_at) }, followUps: { userControls: [{ control: 'account-closed', userId }] } };
  });
}
