import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import { LISTING_VIEW_COLUMNS, listingViewParams, toListingView, type ListingRow, type ListingView } from './listing-view.ts';

export async function findListingView(em: EntityManager, id: string, viewerId?: string): Promise<ListingView> {
  const rows = await em.execute<ListingRow[]>(
    `select ${LISTING_VIEW_COLUMNS} from listings l join users u on u.id = l.seller_id where l.id = ?`,
    [...listingViewParams(viewerId), id],
  );
  // A listing hidden by the admins is gone for everyone but its seller.
  if (!rows[0] || (rows[0].hidden && rows[0].seller_id !== viewerId)) throw notFound('listing');
  return toListingView(rows[0]);
}
