import { conflict, forbidden } from '../errors.ts';
import type { Listing } from './listing.entity.ts';

/** Only the seller may change or remove a listing. */
export function assertSeller(listing: Listing, userId: string): void {
  if (listing.sellerId !== userId) throw forbidden('not-listing-owner', 'Only the seller can change this listing.');
}

/** An auction's price moves with its bids; a fixed price may change only while nobody has bought. */
export function assertCanReprice(listing: Listing): void {
  if (listing.saleType !== 'fixed') throw conflict('price-set-by-auction', "An auction listing's price follows its bids.");
  if (listing.status !== 'on_sale') throw conflict('listing-not-on-sale', 'The price can change only while the listing is on sale.');
}

/**
 * The seller may move a fixed-price listing between on sale, reserved and sold by hand (deals
 * agreed outside gavel), but not while a trade made through gavel decides the status.
 */
export function assertCanSetStatus(listing: Listing, hasTrade: boolean): void {
  if (listing.saleType !== 'fixed') throw conflict('status-set-by-auction', "An auction listing's status follows the auction.");
  if (hasTrade) throw conflict('status-set-by-trade', "This listing's status follows its trade.");
}

/** A listing that has had a trade stays as the record of it. */
export function assertCanDelete(hasTrade: boolean): void {
  if (hasTrade) throw conflict('listing-has-trade', 'A listing with a trade cannot be deleted; mark it sold instead.');
}
