import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import { Trade } from '../trades/trade.entity.ts';
import { assertCanDelete, assertSeller } from './listing-rules.ts';
import { Listing } from './listing.entity.ts';

export async function deleteListing(em: EntityManager, userId: string, listingId: string): Promise<void> {
  await em.transactional(async (tx) => {
    const listing = await tx.findOne(Listing, listingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!listing) throw notFound('listing');
    assertSeller(listing, userId);
    assertCanDelete((await tx.count(Trade, { listingId })) > 0);
    tx.remove(listing);
  });
}
