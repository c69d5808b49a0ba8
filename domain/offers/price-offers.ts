import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { AuctionSettings } from '../auctions/auction-settings.ts';
import { isBlockedEitherWay } from '../blocks/blocks.ts';
import { conflict, DomainError, forbidden, notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { priceOfferNotice } from '../notifications/notices.ts';
import { writeNotifications } from '../notifications/notification-writer.ts';
import { newId } from '../shared/ids.ts';
import { toOfferView, type OfferRow, type OfferView } from './offer-view.ts';

type Deps = { settings: Pick<AuctionSettings, 'offerTtlS'>; followUps: FollowUpDispatcher };

/**
 * A buyer offers an amount below the asking price of a fixed-price listing on sale (at the price
 * or above, they would simply buy it). One open offer per buyer and listing. The listing is read
 * under a share lock, so an offer cannot slip in beside an acceptance, which declines every other
 * open offer under the listing's update lock.
 */
export async function makePriceOffer(em: EntityManager, deps: Deps, buyerId: string, listingId: string, amount: number): Promise<OfferView> {
  try {
    return await transactionWithFollowUps(em, deps.followUps, async (tx) => {
      const [listing] = await tx.execute<{ seller_id: string; sale_type: string; status: string; price: string }[]>(
        `select seller_id, sale_type, status, price from listings where id = ? and hidden_at is null for share`,
        [listingId],
      );
      if (!listing) throw notFound('listing');
      if (listing.seller_id === buyerId) throw forbidden('own-listing', 'You cannot make an offer on your own listing.');
      if (listing.sale_type !== 'fixed') throw conflict('not-fixed-price', 'Offers are for fixed-price listings; auctions take bids.');
      if (listing.status !== 'on_sale') throw conflict('listing-not-on-sale', 'The listing is not on sale any more.');
      if (await isBlockedEitherWay(tx, buyerId, listing.seller_id)) throw forbidden('blocked', 'You cannot make an offer to this seller.');
      const price = Number(listing.price);
      if (amount >= price) {
        throw new DomainError('unprocessable', 'offer-not-below-price', `An offer is below the asking price (${price} won); at that price, buy it.`, { price });
      }
      const [row] = await tx.execute<OfferRow[]>(
        `insert into offers (id, kind, listing_id, seller_id, buyer_id, amount, expires_at)
         values (?, 'price', ?, ?, ?, ?, clock_timestamp() + make_interval(secs => ?))
         returning *`,
        [newId(), listingId, listing.seller_id, buyerId, amount, deps.settings.offerTtlS],
      );
      const offer = toOfferView(row!);
      const notifications = await writeNotifications(tx, [
        priceOfferNotice('offer_received', { id: offer.offerId, listingId }, offer.sellerId, { price: amount, expiresAt: offer.expiresAt }),
      ]);
      return { value: offer, followUps: { notifications, jobs: [jobs.expireOffer(offer.offerId, new Date(offer.expiresAt))] } };
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw conflict('offer-already-open', 'You already have an open offer on this listing; withdraw it to make another.');
    }
    throw error;
  }
}

type LockedOffer = OfferRow & { expired: boolean; listing_price: string };

/**
 * The price offer under its row lock, checked for the one party who may take this step and for
 * being still open by the database clock. Only the offer's row is locked: these steps change
 * nothing else, so they cannot deadlock with an acceptance (listing first, then offers).
 */
async function lockOpenPriceOffer(tx: EntityManager, userId: string, offerId: string, actor: 'buyer' | 'seller'): Promise<LockedOffer> {
  const [offer] = await tx.execute<LockedOffer[]>(
    `select o.*, o.expires_at <= clock_timestamp() as expired, l.price as listing_price
     from offers o join listings l on l.id = o.listing_id where o.id = ? for update of o`,
    [offerId],
  );
  if (!offer) throw notFound('offer');
  if (offer.buyer_id !== userId && offer.seller_id !== userId) throw forbidden('not-offer-party', 'Only the buyer and the seller can act on an offer.');
  if ((actor === 'seller' ? offer.seller_id : offer.buyer_id) !== userId) {
    throw forbidden(`not-offer-${actor}`, `Only the offer's ${actor} can do this.`);
  }
  if (offer.kind !== 'price') throw conflict('not-a-price-offer', 'A second-chance offer can only be accepted.');
  if (offer.status !== 'pending') throw conflict('offer-not-pending', `The offer is already ${offer.status}.`);
  if (offer.expired) throw conflict('offer-expired', 'The offer has expired.', { expiresAt: new Date(offer.expires_at).toISOString() });
  return offer;
}

const about = (offer: OfferRow) => ({ id: offer.id, listingId: offer.listing_id });

/** The seller says no; the buyer is told. */
export async function declineOffer(em: EntityManager, followUps: FollowUpDispatcher, sellerId: string, offerId: string): Promise<OfferView> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const offer = await lockOpenPriceOffer(tx, sellerId, offerId, 'seller');
    const [row] = await tx.execute<OfferRow[]>(`update offers set status = 'declined', decided_at = clock_timestamp() where id = ? returning *`, [offerId]);
    const notifications = await writeNotifications(tx, [
      priceOfferNotice('offer_declined', about(offer), offer.buyer_id, { price: Number(offer.amount), declineReason: 'seller' }),
    ]);
    return { value: toOfferView(row!), followUps: { notifications } };
  });
}

/** The buyer takes the offer back (countered or not); the seller is told. */
export async function withdrawOffer(em: EntityManager, followUps: FollowUpDispatcher, buyerId: string, offerId: string): Promise<OfferView> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const offer = await lockOpenPriceOffer(tx, buyerId, offerId, 'buyer');
    const [row] = await tx.execute<OfferRow[]>(`update offers set status = 'withdrawn', decided_at = clock_timestamp() where id = ? returning *`, [offerId]);
    const notifications = await writeNotifications(tx, [priceOfferNotice('offer_withdrawn', about(offer), offer.seller_id, { price: Number(offer.amount) })]);
    return { value: toOfferView(row!), followUps: { notifications } };
  });
}

/**
 * The seller answers with an amount above the offer and at most the asking price, once per
 * offer. The buyer then has a fresh OFFER_TTL_S to accept it (or withdraw); the expiry job already
 * queued for the offer finds it not yet due when it runs and waits the rest.
 */
export async function counterOffer(em: EntityManager, deps: Deps, sellerId: string, offerId: string, amount: number): Promise<OfferView> {
  return transactionWithFollowUps(em, deps.followUps, async (tx) => {
    const offer = await lockOpenPriceOffer(tx, sellerId, offerId, 'seller');
    if (offer.counter_amount !== null) throw conflict('offer-already-countered', 'You already countered this offer; the buyer answers it.');
    const [offered, price] = [Number(offer.amount), Number(offer.listing_price)];
    if (amount <= offered || amount > price) {
      throw new DomainError('unprocessable', 'counter-out-of-range', `A counter is above the offer (${offered} won) and at most the asking price (${price} won).`, {
        offered,
        price,
      });
    }
    const [row] = await tx.execute<OfferRow[]>(
      `update offers set counter_amount = ?, countered_at = clock_timestamp(), expires_at = clock_timestamp() + make_interval(secs => ?)
       where id = ? returning *`,
      [amount, deps.settings.offerTtlS, offerId],
    );
    const view = toOfferView(row!);
    const notifications = await writeNotifications(tx, [
      priceOfferNotice('offer_countered', about(offer), offer.buyer_id, { price: amount, expiresAt: view.expiresAt }),
    ]);
    return { value: view, followUps: { notifications, jobs: [jobs.expireOffer(offerId, new Date(view.expiresAt))] } };
  });
}
