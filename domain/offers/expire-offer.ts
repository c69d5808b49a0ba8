import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { priceOfferNotice } from '../notifications/notices.ts';
import { writeNotifications } from '../notifications/notification-writer.ts';

export type ExpireOfferResult = { result: 'expired' } | { result: 'not-pending' } | { result: 'not-due'; waitMs: number };

/**
 * Ends an offer nobody accepted in time; the database clock judges "in time", as for acceptance.
 * One statement takes the offer's row lock, so an acceptance holding it is waited for and then
 * seen. Both parties of a price offer are told it ran out.
 */
export async function expireOffer(em: EntityManager, followUps: FollowUpDispatcher, offerId: string): Promise<ExpireOfferResult> {
  return transactionWithFollowUps<ExpireOfferResult>(em, followUps, async (tx) => {
    const [row] = await tx.execute<{ status: string; wait_ms: number; expired: boolean; kind: string; listing_id: string; buyer_id: string; seller_id: string; price: string }[]>(
      `with target as (select id, status, expires_at from offers where id = ?),
       ended as (
         update offers o set status = 'expired', decided_at = clock_timestamp()
         from target t where o.id = t.id and o.status = 'pending' and o.expires_at <= clock_timestamp()
         returning o.id, o.kind, o.listing_id, o.buyer_id, o.seller_id, coalesce(o.counter_amount, o.amount) as price)
       select t.status, greatest(0, extract(epoch from t.expires_at - clock_timestamp()) * 1000)::int as wait_ms,
              e.id is not null as expired, e.kind, e.listing_id, e.buyer_id, e.seller_id, e.price
       from target t left join ended e on e.id = t.id`,
      [offerId],
    );
    if (!row) return { value: { result: 'not-pending' } };
    if (!row.expired) return { value: row.status !== 'pending' ? { result: 'not-pending' } : { result: 'not-due', waitMs: row.wait_ms } };
    const offer = { id: offerId, listingId: row.listing_id };
    const notifications =
      row.kind === 'price'
        ? await writeNotifications(tx, [
            priceOfferNotice('offer_expired', offer, row.buyer_id, { price: Number(row.price) }),
            priceOfferNotice('offer_expired', offer, row.seller_id, { price: Number(row.price) }),
          ])
        : [];
    return { value: { result: 'expired' }, followUps: { notifications } };
  });
}

/** Offers past their expiry whose expiry job was lost (Redis lost its data): the sweep's backstop. */
export async function expireOverdueOffers(em: EntityManager, followUps: FollowUpDispatcher, limit = 200): Promise<number> {
  const overdue = await em.execute<{ id: string }[]>(
    `select id from offers where status = 'pending' and expires_at <= clock_timestamp() order by expires_at limit ?`,
    [limit],
  );
  let expired = 0;
  for (const { id } of overdue) if ((await expireOffer(em.fork(), followUps, id)).result === 'expired') expired++;
  return expired;
}
