import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';

/**
 * Hides a listing: it leaves search and its page answers 404 to everyone but its seller. An open
 * auction on it keeps running for its bidders (README "Choices").
 */
export async function hideListing(em: EntityManager, listingId: string): Promise<{ hiddenAt: Date }> {
  const [row] = await em.execute<{ hidden_at: Date }[]>('update listings set hidden_at = coalesce(hidden_at, now()) where id = ? returning hidden_at', [listingId]);
  if (!row) throw notFound('listing');
  return { hiddenAt: new Date(row.hidden_at) };
}
