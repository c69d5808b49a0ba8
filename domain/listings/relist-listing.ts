import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { validateNewAuction, type AuctionSettings, type NewAuctionInput } from '../auctions/auction-settings.ts';
import { isPositiveWon } from '../auctions/money.ts';
import { databaseNow, openAuction } from '../auctions/open-auction.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { assertSeller } from './listing-rules.ts';
import { Listing } from './listing.entity.ts';

export type RelistTerms = { price: number } | { auction: NewAuctionInput };

/**
 * Puts an ended listing (its auction went unsold or was cancelled, or the winner's trade was
 * called off) back on sale: at a fixed price, or in a new auction of its own with a new id. An
 * open second-chance offer for it is withdrawn: the item is for sale to everyone again.
 */
export async function relistListing(
  em: EntityManager,
  deps: { settings: AuctionSettings; followUps: FollowUpDispatcher },
  sellerId: string,
  listingId: string,
  terms: RelistTerms,
): Promise<{ listingId: string; auctionId: string | null }> {
  const now = await databaseNow(em);
  const auctionTerms = 'auction' in terms ? validateNewAuction(terms.auction, deps.settings, now) : null;
  if (!auctionTerms && !isPositiveWon((terms as { price: number }).price)) throw invalid('invalid-price', 'price must be a positive whole number of won.');
  return transactionWithFollowUps<{ listingId: string; auctionId: string | null }>(em, deps.followUps, async (tx) => {
    const listing = await tx.findOne(Listing, listingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!listing) throw notFound('listing');
    assertSeller(listing, sellerId);
    if (listing.status !== 'ended') throw conflict('listing-not-ended', `Only an ended listing can be relisted; this one is ${listing.status}.`);
    await tx.execute(`update offers set status = 'withdrawn', decided_at = clock_timestamp() where listing_id = ? and status = 'pending'`, [listingId]);
    listing.status = 'on_sale';
    // On sale again: keyword alerts hear of it as of a new listing.
    const alertJob = jobs.matchKeywordAlerts(listingId, new Date());
    if (!auctionTerms) {
      listing.saleType = 'fixed';
      listing.price = (terms as { price: number }).price;
      return { value: { listingId, auctionId: null }, followUps: { jobs: [alertJob] } };
    }
    listing.saleType = 'auction';
    listing.price = auctionTerms.startPrice;
    const { auction, closeJob } = openAuction(tx, listingId, sellerId, auctionTerms, now);
    return { value: { listingId, auctionId: auction.id }, followUps: { jobs: [closeJob, alertJob] } };
  });
}
