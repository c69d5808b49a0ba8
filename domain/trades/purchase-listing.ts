import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound } from '../errors.ts';
import { Listing } from '../listings/listing.entity.ts';
import { Trade } from './trade.entity.ts';

const notOnSale = () => conflict('listing-not-on-sale', 'The listing is not on sale any more.');

/**
 * Buys a fixed-price listing. The row lock serialises buyers who click at the same moment: the
 * first reserves the listing and gets the trade, every later one finds it reserved.
 */
export async function purchaseListing(em: EntityManager, buyerId: string, listingId: string): Promise<Trade> {
  try {
    return await em.transactional(async (tx) => {
      const listing = await tx.findOne(Listing, listingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!listing) throw notFound('listing');
      if (listing.sellerId === buyerId) throw forbidden('own-listing', 'You cannot buy your own listing.');
      if (listing.saleType !== 'fixed') throw conflict('not-fixed-price', 'Auction listings are bought by bidding.');
      if (listing.status !== 'on_sale') throw notOnSale();
      listing.status = 'reserved';
      return tx.create(Trade, {
        listingId,
        title: listing.title,
        sellerId: listing.sellerId,
        buyerId,
        price: listing.price,
        kind: 'purchase',
      });
    });
  } catch (error) {
    // The partial unique index on trades backs the lock up; it should never be what decides.
    if (error instanceof UniqueConstraintViolationException) throw notOnSale();
    throw error;
  }
}
