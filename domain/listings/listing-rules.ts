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

export interface ContentChange {
  title?: string | undefined;
  description?: string | undefined;
  categoryId?: number | undefined;
  imageUrls?: string[] | undefined;
  photoIds?: string[] | undefined;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Once an auction has a bid, what the bidders bid on is fixed: title, category and pictures. The
 * description may only grow (an added note), never be rewritten under the bidders' feet.
 */
export function assertContentEditable(listing: Required<ContentChange>, change: ContentChange, hasBids: boolean): void {
  if (!hasBids) return;
  const frozen = (field: string) => conflict('content-frozen', `The ${field} cannot change once the auction has a bid.`, { field });
  if (change.title !== undefined && change.title !== listing.title) throw frozen('title');
  if (change.categoryId !== undefined && change.categoryId !== listing.categoryId) throw frozen('category');
  if (change.imageUrls !== undefined && !sameList(change.imageUrls, listing.imageUrls)) throw frozen('imageUrls');
  if (change.photoIds !== undefined && !sameList(change.photoIds, listing.photoIds)) throw frozen('photos');
  if (change.description !== undefined && !change.description.startsWith(listing.description)) {
    throw conflict('content-frozen', 'Once the auction has a bid the description may only be added to.', { field: 'description' });
  }
}
