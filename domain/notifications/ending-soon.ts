import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { endingSoonNotice } from './notices.ts';
import { writeNotifications } from './notification-writer.ts';

/**
 * "Ending soon" notices to everyone who liked an open auction's listing (not the seller) once it
 * is within `noticeS` of its end. Judged per recipient, so someone who likes the listing after the
 * first sweep saw it still hears; the dedupe key keeps it to one per auction and person.
 */
export async function queueEndingSoonNotices(em: EntityManager, dispatcher: FollowUpDispatcher, noticeS: number, limit = 1000): Promise<number> {
  if (noticeS <= 0) return 0;
  return transactionWithFollowUps(em, dispatcher, async (tx) => {
    const due = await tx.execute<{ auction_id: string; user_id: string; current_price: string }[]>(
      `select a.id as auction_id, k.user_id, a.current_price
       from auctions a join listing_likes k on k.listing_id = a.listing_id
       where a.status <> 'closed' and a.ends_at > clock_timestamp() and a.ends_at <= clock_timestamp() + make_interval(secs => ?)
         and k.user_id <> a.seller_id
         and not exists (select 1 from notifications n where n.auction_id = a.id and n.user_id = k.user_id and n.kind = 'ending_soon')
       order by a.ends_at limit ?`,
      [noticeS, limit],
    );
    const minutes = Math.ceil(noticeS / 60);
    const notifications = await writeNotifications(tx, due.map((d) => endingSoonNotice(d.auction_id, d.user_id, Number(d.current_price), minutes)));
    return { value: notifications.length, followUps: { notifications } };
  });
}
