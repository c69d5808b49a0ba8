import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import type { JobRequest } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { Listing } from '../listings/listing.entity.ts';
import { priceOfferNotice } from '../notifications/notices.ts';
import type { NewNotification } from '../notifications/notification-kinds.ts';
import { writeNotifications } from '../notifications/notification-writer.ts';
import { openPurchaseTrade, type TradeSettings } from '../trades/purchase-listing.ts';
import { Trade } from '../trades/trade.entity.ts';
import type { OfferRow } from './offer-view.ts';

type LockedOffer = OfferRow & { expired: boolean };

const notAvailable = () => conflict('listing-not-available', 'The item is no longer available.');

/**
 * Accepts an open offer before it expires (judged by the database clock): a trade at the agreed
 * amount, the listing reserved. Whose acceptance it is depends on the offer: the seller accepts a
 * price offer, the buyer accepts the seller's counter or a second chance.
 *
 * Locks are taken in one order everywhere: the listing's row, then offers' rows. The listing's
 * lock settles two acceptances on one listing and an acceptance against a purchase (the second
 * finds the listing reserved); the offer's settles it against the expiry job, a withdrawal or a
 * decline.
 */
export async function acceptOffer(
  em: EntityManager,
  deps: { followUps: FollowUpDispatcher; trades: TradeSettings },
  userId: string,
  offerId: string,
): Promise<{ tradeId: string }> {
  try {
    return await transactionWithFollowUps(em, deps.followUps, async (tx) => {
      const [found] = await tx.execute<{ listing_id: string }[]>(`select listing_id from offers where id = ?`, [offerId]);
      if (!found) throw notFound('offer');
      // `for no key update`, not `for update`: it still excludes a purchase, another acceptance and a new
      // offer (`for share`), but not the key-share lock a notice's foreign key takes on the listing, so an
      // expiry or a decline that holds an offer's row and writes its notice cannot deadlock with us.
      await tx.execute(`select 1 from listings where id = ? for no key update`, [found.listing_id]);
      const listing = await tx.findOne(Listing, found.listing_id, { refresh: true });
      const [offer] = await tx.execute<LockedOffer[]>(
        `select o.*, o.expires_at <= clock_timestamp() as expired from offers o where o.id = ? for update`,
        [offerId],
      );
      if (!offer || !listing) throw notFound('offer');
      checkTurn(offer, userId);
      if (offer.status !== 'pending') throw conflict('offer-not-pending', `The offer is already ${offer.status}.`);
      if (offer.expired) throw conflict('offer-expired', 'The offer has expired.', { expiresAt: new Date(offer.expires_at).toISOString() });
      const { trade, notifications, jobs } =
        offer.kind === 'price' ? await acceptPriceOffer(tx, deps.trades, listing, offer) : acceptSecondChance(tx, listing, offer);
      await tx.flush();
      await tx.execute(`update offers set status = 'accepted', decided_at = clock_timestamp(), trade_id = ? where id = ?`, [trade.id, offerId]);
      const written = await writeNotifications(tx, await notifications(trade));
      return { value: { tradeId: trade.id }, followUps: { notifications: written, jobs } };
    });
  } catch (error) {
    // The partial unique index on trades backs the listing's lock up; it should never be what decides.
    if (error instanceof UniqueConstraintViolationException) throw notAvailable();
    throw error;
  }
}

/** Only the party the offer waits for accepts it: never the one who made the last proposal. */
function checkTurn(offer: LockedOffer, userId: string): void {
  const awaiting = offer.kind === 'price' && offer.counter_amount === null ? 'seller' : 'buyer';
  if ((awaiting === 'seller' ? offer.seller_id : offer.buyer_id) === userId) return;
  if (offer.kind === 'second_chance') throw forbidden('not-offer-buyer', 'Only the buyer it was made to can accept this offer.');
  if (offer.buyer_id !== userId && offer.seller_id !== userId) throw forbidden('not-offer-party', 'Only the buyer and the seller can act on an offer.');
  if (awaiting === 'seller') throw forbidden('not-offer-seller', 'Only the seller accepts an offer; the buyer may accept the seller’s counter.');
  throw forbidden('offer-countered', 'You countered this offer; the buyer accepts or withdraws it.');
}

interface Acceptance {
  trade: Trade;
  notifications: (trade: Trade) => Promise<NewNotification[]>;
  jobs: JobRequest[];
}

/** The runner-up takes the item at their own highest bid: an auction trade, without a purchase's expiry. */
function acceptSecondChance(tx: EntityManager, listing: Listing, offer: LockedOffer): Acceptance {
  if (listing.status !== 'ended') throw notAvailable();
  listing.status = 'reserved';
  const trade = tx.create(Trade, {
    listingId: offer.listing_id,
    auctionId: offer.auction_id,
    title: listing.title,
    sellerId: offer.seller_id,
    buyerId: offer.buyer_id,
    price: Number(offer.amount),
    kind: 'auction',
  });
  return { trade, notifications: async () => [], jobs: [] };
}

/**
 * A purchase at the agreed amount, under a purchase's rules (the buyer's limit of open purchases,
 * the pending expiry); every other open offer on the listing is declined and its buyer told.
 */
async function acceptPriceOffer(tx: EntityManager, settings: TradeSettings, listing: Listing, offer: LockedOffer): Promise<Acceptance> {
  if (listing.status !== 'on_sale') throw conflict('listing-not-on-sale', 'The listing is not on sale any more.');
  const price = Number(offer.counter_amount ?? offer.amount);
  const { trade, job } = await openPurchaseTrade(tx, settings, listing, offer.buyer_id, price, 'buyer');
  const notifications = async (made: Trade): Promise<NewNotification[]> => {
    const others = await tx.execute<{ id: string; buyer_id: string; amount: string }[]>(
      `update offers set status = 'declined', decided_at = clock_timestamp()
       where listing_id = ? and kind = 'price' and status = 'pending' and id <> ? returning id, buyer_id, amount`,
      [offer.listing_id, offer.id],
    );
    // The other party hears of the acceptance: the buyer if the seller accepted, the seller if the buyer took the counter.
    const told = offer.counter_amount === null ? offer.buyer_id : offer.seller_id;
    return [
      priceOfferNotice('offer_accepted', { id: offer.id, listingId: offer.listing_id }, told, { price, tradeId: made.id }),
      ...others.map((other) =>
        priceOfferNotice('offer_declined', { id: other.id, listingId: offer.listing_id }, other.buyer_id, {
          price: Number(other.amount),
          declineReason: 'another-offer-accepted',
        }),
      ),
    ];
  };
  return { trade, notifications, jobs: [job] };
}
