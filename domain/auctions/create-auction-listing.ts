import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { assertCategoryExists, type ListingContent } from '../listings/create-listing.ts';
import { Listing } from '../listings/listing.entity.ts';
import { photoJobs, setListingPhotos } from '../photos/attach-photos.ts';
import { newId } from '../shared/ids.ts';
import { validateNewAuction, type AuctionSettings, type NewAuctionInput } from './auction-settings.ts';
import { newAuctionState } from './auction-state.ts';
import { Auction } from './auction.entity.ts';

/**
 * A listing sold by auction: the listing and its auction are written together, judged against
 * the database clock so a start "now" means the same on every API host, and its close job is
 * declared in the same transaction, due at the end by that clock.
 */
export async function createAuctionListing(
  em: EntityManager,
  deps: { settings: AuctionSettings; followUps: FollowUpDispatcher },
  sellerId: string,
  input: ListingContent & { auction: NewAuctionInput; photoIds?: string[] },
): Promise<{ listing: Listing; auction: Auction }> {
  await assertCategoryExists(em, input.categoryId);
  const [clock] = await em.execute<{ now: string }[]>('select clock_timestamp() as now');
  const now = new Date(clock!.now);
  const terms = validateNewAuction(input.auction, deps.settings, now);
  return transactionWithFollowUps(em, deps.followUps, async (tx) => {
    const { title, description, categoryId, imageUrls } = input;
    const listing = tx.create(Listing, { title, description, categoryId, imageUrls, sellerId, saleType: 'auction', status: 'on_sale', price: terms.startPrice });
    // The auction refers to the listing by id only, so the listing row must exist first.
    await tx.flush();
    const state = newAuctionState({ id: '', sellerId, terms }, now);
    const auction = tx.create(Auction, {
      id: newId(),
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
    return { value: { listing, auction }, followUps: { jobs: [jobs.closeAuction(auction.id, terms.endsAt), ...photoJobs(photos)] } };
  });
}
