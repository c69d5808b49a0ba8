import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role } from './user.entity.ts';

/** The caller's current role, or null when the account no longer exists. */
export async function findCallerRole(em: EntityManager, userId: string): Promise<Role | null> {
  const [row] = await em.execute<{ role: Role }[]>('select role from users where id = ?', [userId]);
  return row?.role ?? null;
}
