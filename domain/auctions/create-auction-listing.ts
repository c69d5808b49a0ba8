import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { assertCategoryExists, type ListingContent } from '../listings/create-listing.ts';
import { Listing } from '../listings/listing.entity.ts';
import { photoJobs, setListingPhotos } from '../photos/attach-photos.ts';
import { validateNewAuction, type AuctionSettings, type NewAuctionInput } from './auction-settings.ts';
import type { Auction } from './auction.entity.ts';
import { databaseNow, openAuction } from './open-auction.ts';

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
  const now = await databaseNow(em);
  const terms = validateNewAuction(input.auction, deps.settings, now);
  return transactionWithFollowUps(em, deps.followUps, async (tx) => {
    const { title, description, categoryId, imageUrls } = input;
    const listing = tx.create(Listing, { title, description, categoryId, imageUrls, sellerId, saleType: 'auction', status: 'on_sale', price: terms.startPrice });
    // The auction refers to the listing by id only, so the listing row must exist first.
    await tx.flush();
    const { auction, closeJob } = openAuction(tx, listing.id, sellerId, terms, now);
    const photos = await setListingPhotos(tx, sellerId, listing.id, input.photoIds ?? []);
    return { value: { listing, auction }, followUps: { jobs: [closeJob, ...photoJobs(photos), jobs.matchKeywordAlerts(listing.id, new Date())] } };
  });
}
