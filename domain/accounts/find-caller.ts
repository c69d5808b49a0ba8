import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role } from './user.entity.ts';

export interface CallerAccount {
  role: Role;
  suspended: boolean;
}

/** The caller's current role and whether they are suspended, or null when the account no longer exists. */
export async function findCallerAccount(em: EntityManager, userId: string): Promise<CallerAccount | null> {
  const [row] = await em.execute<CallerAccount[]>('select role, suspended_at is not null as suspended from users where id = ?', [userId]);
  return row ?? null;
}
