import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs, type JobRequest } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { Listing } from '../listings/listing.entity.ts';
import { newId } from '../shared/ids.ts';
import { Trade } from './trade.entity.ts';

export interface TradeSettings {
  maxOpenPerBuyer: number;
  pendingTtlS: number;
}

/**
 * The trade of a purchase at `price` (the listing's, or an accepted price offer's) on a fixed-price
 * listing the caller has locked and found on sale: the listing is reserved, the buyer's limit of
 * open purchases applies, and the trade expires `pendingTtlS` from now by the database clock.
 * Returns the trade (not yet flushed) and its expiry job.
 */
export async function openPurchaseTrade(
  tx: EntityManager,
  settings: TradeSettings,
  listing: Listing,
  buyerId: string,
  price: number,
  whose: 'own' | 'buyer' = 'own',
): Promise<{ trade: Trade; job: JobRequest }> {
  await tx.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`gavel:open-trades:${buyerId}`]);
  const [facts] = await tx.execute<{ open: number; expires_at: Date }[]>(
    `select (select count(*)::int from trades where buyer_id = ? and kind = 'purchase' and status = 'pending') as open,
            clock_timestamp() + make_interval(secs => ?) as expires_at`,
    [buyerId, settings.pendingTtlS],
  );
  if (facts!.open >= settings.maxOpenPerBuyer) {
    const who = whose === 'own' ? 'You have' : 'The buyer has';
    throw conflict('too-many-open-trades', `${who} ${facts!.open} purchases waiting to be completed; one must be completed or cancelled first.`, {
      maxOpenTrades: settings.maxOpenPerBuyer,
    });
  }
  listing.status = 'reserved';
  const expiresAt = new Date(facts!.expires_at);
  const trade = tx.create(Trade, {
    id: newId(),
    listingId: listing.id,
    title: listing.title,
    sellerId: listing.sellerId,
    buyerId,
    price,
    kind: 'purchase',
    expiresAt,
  });
  return { trade, job: jobs.expireTrade(trade.id, expiresAt) };
}

const notOnSale = () => conflict('listing-not-on-sale', 'The listing is not on sale any more.');

/**
 * Buys a fixed-price listing. The row lock serialises buyers who click at the same moment: the
 * first reserves the listing and gets the trade, every later one finds it reserved. A buyer holds
 * at most `maxOpenPerBuyer` pending purchases (the buyer's advisory lock makes count-then-buy one
 * step, so a burst of purchases cannot pass it), and each expires `pendingTtlS` after it was made,
 * by the database clock, through a delayed `expire-trade` job (the sweep catches a lost one).
 */
export async function purchaseListing(
  em: EntityManager,
  deps: { followUps: FollowUpDispatcher; settings: TradeSettings },
  buyerId: string,
  listingId: string,
): Promise<Trade> {
  try {
    return await transactionWithFollowUps(em, deps.followUps, async (tx) => {
      const listing = await tx.findOne(Listing, listingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!listing) throw notFound('listing');
      if (listing.sellerId === buyerId) throw forbidden('own-listing', 'You cannot buy your own listing.');
      if (listing.saleType !== 'fixed') throw conflict('not-fixed-price', 'Auction listings are bought by bidding.');
      if (listing.status !== 'on_sale') throw notOnSale();
      const { trade, job } = await openPurchaseTrade(tx, deps.settings, listing, buyerId, listing.price);
      return { value: trade, followUps: { jobs: [job] } };
    });
  } catch (error) {
    // The partial unique index on trades backs the lock up; it should never be what decides.
    if (error instanceof UniqueConstraintViolationException) throw notOnSale();
    throw error;
  }
}
