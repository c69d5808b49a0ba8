import type { EntityManager } from '@mikro-orm/postgresql';
import { AuctionRepository } from '../auctions/auction-repository.ts';
import type { AuctionSettings } from '../auctions/auction-settings.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { secondChanceNotice } from '../notifications/notices.ts';
import { writeNotifications } from '../notifications/notification-writer.ts';
import { newId } from '../shared/ids.ts';
import { toOfferView, type OfferRow, type OfferView } from './offer-view.ts';

/**
 * eBay's second-chance offer: when an auction's winner falls through (their trade was called
 * off), the seller may offer the item to the runner-up at the runner-up's own highest bid. The
 * offer expires after OFFER_TTL_S, by the database clock; one per auction.
 */
export async function offerSecondChance(
  em: EntityManager,
  deps: { settings: AuctionSettings; followUps: FollowUpDispatcher },
  sellerId: string,
  auctionId: string,
): Promise<OfferView> {
  return transactionWithFollowUps(em, deps.followUps, async (tx) => {
    // The auction's row lock serialises two offers for it (the unique index backs it up).
    const locked = await new AuctionRepository(tx).lockForChange(auctionId);
    if (!locked) throw notFound('auction');
    if (locked.state.sellerId !== sellerId) throw forbidden('not-auction-seller', 'Only the seller can make a second-chance offer.');
    const [facts] = await tx.execute<{ listing_status: string; winner_id: string | null; live_trade: boolean; offered: boolean; relisted: boolean }[]>(
      `select l.status as listing_status,
              exists (select 1 from auctions later where later.listing_id = a.listing_id and later.created_at > a.created_at) as relisted,
              (select t.buyer_id from trades t where t.auction_id = a.id order by t.created_at limit 1) as winner_id,
              exists (select 1 from trades t where t.listing_id = a.listing_id and t.status <> 'cancelled') as live_trade,
              exists (select 1 from offers o where o.auction_id = a.id and o.kind = 'second_chance') as offered
       from auctions a join listings l on l.id = a.listing_id where a.id = ? for update of l`,
      [auctionId],
    );
    if (locked.state.outcome !== 'sold' || !facts?.winner_id) throw conflict('no-second-chance', 'Only a sold auction can offer a second chance.');
    if (facts.live_trade || facts.listing_status !== 'ended' || facts.relisted) {
      throw conflict('no-second-chance', 'A second chance is possible once the winner’s trade was called off, before the listing is relisted.');
    }
    if (facts.offered) throw conflict('second-chance-already-offered', 'This auction’s second chance was already offered.');
    const [runnerUp] = await tx.execute<{ bidder_id: string; amount: string }[]>(
      `select bidder_id, max(amount) as amount from bids
       where auction_id = ? and bidder_id <> ? and kind <> 'max_raise'
       group by bidder_id order by max(amount) desc, min(seq) limit 1`,
      [auctionId, facts.winner_id],
    );
    if (!runnerUp) throw conflict('no-runner-up', 'Nobody else bid on this auction.');

    const [row] = await tx.execute<OfferRow[]>(
      `insert into offers (id, kind, listing_id, auction_id, seller_id, buyer_id, amount, expires_at)
       values (?, 'second_chance', ?, ?, ?, ?, ?, clock_timestamp() + make_interval(secs => ?))
       returning *`,
      [newId(), locked.listingId, auctionId, sellerId, runnerUp.bidder_id, runnerUp.amount, deps.settings.offerTtlS],
    );
    const offer = toOfferView(row!);
    const expiresAt = new Date(offer.expiresAt);
    const notifications = await writeNotifications(tx, [
      secondChanceNotice({ id: offer.offerId, auctionId, listingId: offer.listingId, buyerId: offer.buyerId, amount: offer.amount, expiresAt }),
    ]);
    return { value: offer, followUps: { notifications, jobs: [jobs.expireOffer(offer.offerId, expiresAt)] } };
  });
}
