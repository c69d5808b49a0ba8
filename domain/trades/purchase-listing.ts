import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { Listing } from '../listings/listing.entity.ts';
import { newId } from '../shared/ids.ts';
import { Trade } from './trade.entity.ts';

export interface TradeSettings {
  maxOpenPerBuyer: number;
  pendingTtlS: number;
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
      await tx.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`gavel:open-trades:${buyerId}`]);
      const [facts] = await tx.execute<{ open: number; expires_at: Date }[]>(
        `select (select count(*)::int from trades where buyer_id = ? and kind = 'purchase' and status = 'pending') as open,
                clock_timestamp() + make_interval(secs => ?) as expires_at`,
        [buyerId, deps.settings.pendingTtlS],
      );
      if (facts!.open >= deps.settings.maxOpenPerBuyer) {
        throw conflict('too-many-open-trades', `You have ${facts!.open} purchases waiting to be completed; complete or cancel one first.`, {
          maxOpenTrades: deps.settings.maxOpenPerBuyer,
        });
      }
      listing.status = 'reserved';
      const expiresAt = new Date(facts!.expires_at);
      const trade = tx.create(Trade, {
        id: newId(),
        listingId,
        title: listing.title,
        sellerId: listing.sellerId,
        buyerId,
        price: listing.price,
        kind: 'purchase',
        expiresAt,
      });
      return { value: trade, followUps: { jobs: [jobs.expireTrade(trade.id, expiresAt)] } };
    });
  } catch (error) {
    // The partial unique index on trades backs the lock up; it should never be what decides.
    if (error instanceof UniqueConstraintViolationException) throw notOnSale();
    throw error;
  }
}
