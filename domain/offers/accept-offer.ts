import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { Trade } from '../trades/trade.entity.ts';
import type { OfferRow } from './offer-view.ts';

/**
 * The buyer accepts an open offer before it expires (judged by the database clock): a trade at the
 * offered amount, the listing reserved. The offer's row lock settles accept against expiry, and the
 * listing's against a relist or a second acceptance.
 */
export async function acceptOffer(em: EntityManager, followUps: FollowUpDispatcher, buyerId: string, offerId: string): Promise<{ tradeId: string }> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const [offer] = await tx.execute<(OfferRow & { expired: boolean })[]>(
      `select o.*, o.expires_at <= clock_timestamp() as expired from offers o where o.id = ? for update`,
      [offerId],
    );
    if (!offer) throw notFound('offer');
    if (offer.buyer_id !== buyerId) throw forbidden('not-offer-buyer', 'Only the buyer it was made to can accept this offer.');
    if (offer.status !== 'pending') throw conflict('offer-not-pending', `The offer is already ${offer.status}.`);
    if (offer.expired) throw conflict('offer-expired', 'The offer has expired.', { expiresAt: new Date(offer.expires_at).toISOString() });
    const [listing] = await tx.execute<{ status: string; title: string }[]>(`select status, title from listings where id = ? for update`, [offer.listing_id]);
    if (!listing || listing.status !== 'ended') throw conflict('listing-not-available', 'The item is no longer available.');

    const trade = tx.create(Trade, {
      listingId: offer.listing_id,
      auctionId: offer.auction_id,
      title: listing.title,
      sellerId: offer.seller_id,
      buyerId,
      price: Number(offer.amount),
      kind: 'auction',
    });
    await tx.flush();
    await tx.execute(`update listings set status = 'reserved', updated_at = now() where id = ?`, [offer.listing_id]);
    await tx.execute(`update offers set status = 'accepted', decided_at = clock_timestamp(), trade_id = ? where id = ?`, [trade.id, offerId]);
    return { value: { tradeId: trade.id } };
  });
}
