import type { EntityManager } from '@mikro-orm/postgresql';
import { jobs, type JobRequest } from '../follow-ups/job-contract.ts';
import { newId } from '../shared/ids.ts';
import type { NewAuctionTerms } from './auction-settings.ts';
import { newAuctionState } from './auction-state.ts';
import { Auction } from './auction.entity.ts';

/**
 * A new auction for a listing whose row exists, on terms already validated against the database
 * clock `now`, and the close job it needs (due at its end by that clock). For a new listing and a
 * relisted one alike.
 */
export function openAuction(tx: EntityManager, listingId: string, sellerId: string, terms: NewAuctionTerms, now: Date): { auction: Auction; closeJob: JobRequest } {
  const state = newAuctionState({ id: '', sellerId, terms }, now);
  const auction = tx.create(Auction, {
    id: newId(),
    listingId,
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
  return { auction, closeJob: jobs.closeAuction(auction.id, terms.endsAt) };
}

/** The database clock, which judges every auction's start and end on every host alike. */
export async function databaseNow(em: EntityManager): Promise<Date> {
  const [clock] = await em.execute<{ now: string }[]>('select clock_timestamp() as now');
  return new Date(clock!.now);
}
