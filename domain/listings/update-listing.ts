import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { photoJobs, setListingPhotos } from '../photos/attach-photos.ts';
import { assertPrice } from '../shared/money.ts';
import { Trade } from '../trades/trade.entity.ts';
import { assertCategoryExists, type ListingContent } from './create-listing.ts';
import { assertCanReprice, assertCanSetStatus, assertContentEditable, assertSeller } from './listing-rules.ts';
import type { ListingStatus } from './listing-status.ts';
import { Listing } from './listing.entity.ts';

export type ListingPatch = Partial<ListingContent> & { price?: number; status?: ListingStatus; photoIds?: string[] };

export async function updateListing(em: EntityManager, followUps: FollowUpDispatcher, userId: string, listingId: string, patch: ListingPatch): Promise<void> {
  if (patch.price !== undefined) assertPrice(patch.price, 'price', 'invalid-price');
  return transactionWithFollowUps(em, followUps, async (tx) => {
    // The latest auction's row first, the order the bid path takes them in (no deadlock), so a bid
    // cannot land between the freeze check below and the write.
    const [auction] = await tx.execute<{ bid_count: number }[]>(
      'select bid_count from auctions where listing_id = ? order by created_at desc limit 1 for update',
      [listingId],
    );
    // Locked so that a purchase cannot slip in between the checks below and the write.
    const listing = await tx.findOne(Listing, listingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!listing) throw notFound('listing');
    assertSeller(listing, userId);
    // Relisted at a fixed price, the listing is no longer what its old auction's bidders bid on.
    const hasBids = listing.saleType === 'auction' && (auction?.bid_count ?? 0) > 0;
    if (hasBids) {
      const photos = await tx.execute<{ id: string }[]>('select id from listing_photos where listing_id = ? order by position', [listingId]);
      const { title, description, categoryId, imageUrls } = listing;
      assertContentEditable({ title, description, categoryId, imageUrls, photoIds: photos.map((p) => p.id) }, patch, true);
    }
    if (patch.categoryId !== undefined) await assertCategoryExists(tx, patch.categoryId);
    if (patch.price !== undefined && patch.price !== listing.price) assertCanReprice(listing);
    if (patch.status !== undefined && patch.status !== listing.status) {
      const trades = await tx.count(Trade, { listingId, status: { $ne: 'cancelled' } });
      assertCanSetStatus(listing, trades > 0);
    }
    // Field by field, never the patch as a whole: only these can come from a client.
    const { title, description, categoryId, imageUrls, price, status } = patch;
    const changes = Object.fromEntries(Object.entries({ title, description, categoryId, imageUrls, price, status }).filter(([, v]) => v !== undefined));
    tx.assign(listing, changes);
    if (!patch.photoIds) return { value: undefined };
    const photos = await setListingPhotos(tx, userId, listingId, patch.photoIds);
    return { value: undefined, followUps: { jobs: photoJobs(photos) } };
  });
}
