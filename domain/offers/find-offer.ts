import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, notFound } from '../errors.ts';
import { toOfferView, type OfferRow, type OfferView } from './offer-view.ts';

/** An offer is private to its two parties. */
export async function findOfferView(em: EntityManager, userId: string, offerId: string): Promise<OfferView> {
  const [row] = await em.execute<OfferRow[]>('select * from offers where id = ?', [offerId]);
  if (!row) throw notFound('offer');
  if (row.buyer_id !== userId && row.seller_id !== userId) throw forbidden('not-offer-party', 'Only the buyer and the seller can see an offer.');
  return toOfferView(row);
}
