import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { Trade } from '../trades/trade.entity.ts';
import { assertCanDelete, assertSeller } from './listing-rules.ts';
import { Listing } from './listing.entity.ts';

/** Deletes the listing and its photos' rows; their stored objects are removed by a job after commit. */
export async function deleteListing(em: EntityManager, followUps: FollowUpDispatcher, userId: string, listingId: string): Promise<void> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    // The auction row is locked before the listing row, the order the bid path takes them in,
    // so a delete racing a bid waits instead of deadlocking.
    const auctions = await tx.execute<{ bid_count: number }[]>('select bid_count from auctions where listing_id = ? for update', [listingId]);
    const listing = await tx.findOne(Listing, listingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!listing) throw notFound('listing');
    assertSeller(listing, userId);
    if (auctions.some((auction) => auction.bid_count > 0)) throw conflict('auction-has-bids', 'An auction with bids cannot be deleted.');
    assertCanDelete((await tx.count(Trade, { listingId })) > 0);
    const photos = await tx.execute<{ keys: (string | null)[] }[]>(
      `delete from uploads u using listing_photos p where p.id = u.id and p.listing_id = ?
       returning array[u.object_key, p.display_key, p.thumbnail_key] as keys`,
      [listingId],
    );
    tx.remove(listing);
    const keys = photos.flatMap((p) => p.keys.filter((k): k is string => k !== null));
    return { value: undefined, followUps: { jobs: keys.length ? [jobs.deleteObjects(keys)] : [] } };
  });
}
