import type { EntityManager } from '@mikro-orm/postgresql';
import { assertCategoryExists, type ListingContent } from '../listings/create-listing.ts';
import { Listing } from '../listings/listing.entity.ts';
import { setListingPhotos, type PhotoChange } from '../photos/attach-photos.ts';
import { validateNewAuction, type AuctionSettings, type NewAuctionInput } from './auction-settings.ts';
import { newAuctionState } from './auction-state.ts';
import { Auction } from './auction.entity.ts';

/**
 * A listing sold by auction: the listing and its auction are written together, judged against
 * the database clock so a start "now" means the same on every API host.
 */
export async function createAuctionListing(
  em: EntityManager,
  settings: AuctionSettings,
  sellerId: string,
  input: ListingContent & { auction: NewAuctionInput; photoIds?: string[] },
): Promise<{ listing: Listing; auction: Auction; photos: PhotoChange }> {
  await assertCategoryExists(em, input.categoryId);
  const [clock] = await em.execute<{ now: string }[]>('select clock_timestamp() as now');
  const now = new Date(clock!.now);
  const terms = validateNewAuction(input.auction, settings, now);
  return em.transactional(async (tx) => {
    const { title, description, categoryId, imageUrls } = input;
    const listing = tx.create(Listing, { title, description, categoryId, imageUrls, sellerId, saleType: 'auction', status: 'on_sale', price: terms.startPrice });
    // The auction refers to the listing by id only, so the listing row must exist first.
    await tx.flush();
    const state = newAuctionState({ id: '', sellerId, terms }, now);
    const auction = tx.create(Auction, {
      listingId: listing.id,
      sellerId,
      status: state.status,
      outcome: null,
      startPrice: terms.startPrice,
      currentPrice: terms.startPrice,
      startsAt: terms.startsAt,
      endsAt: terms.endsAt,
      originalEndsAt: terms.endsAt,
      buyNowPrice: terms.buyNowPrice,
      reservePrice: terms.reservePrice,
    });
    const photos = await setListingPhotos(tx, sellerId, listing.id, input.photoIds ?? []);
    return { listing, auction, photos };
  });
}
