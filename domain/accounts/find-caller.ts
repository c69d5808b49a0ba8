import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role } from './user.entity.ts';

/** The caller's current role and whether they are suspended, or null when the account no longer exists. */
export async function findCallerAccount(em: EntityManager, userId: string): Promise<{ role: Role; suspended: boolean } | null> {
  const [row] = await em.execute<{ role: Role; suspended: boolean }[]>('select role, suspended_at is not null as suspended from users where id = ?', [userId]);
  return row ?? null;
}
