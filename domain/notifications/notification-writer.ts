import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '../shared/ids.ts';
import type { NewNotification, WrittenNotice } from './notification-kinds.ts';

/**
 * The one insert of notification rows, as a CTE body so a change can write its notices in the
 * same statement as everything else; a duplicate by dedupe key is skipped. It returns `id, sms`
 * of the rows actually created.
 */
export function notificationInsert(notifications: NewNotification[]): { sql: string; params: unknown[] } {
  return {
    sql: `insert into notifications (id, user_id, auction_id, listing_id, offer_id, kind, dedupe_key, data, sms)
          select id, user_id, auction_id, listing_id, offer_id, kind, dedupe_key, data, sms from jsonb_to_recordset(?::jsonb)
            as n(id uuid, user_id uuid, auction_id uuid, listing_id uuid, offer_id uuid, kind text, dedupe_key text, data jsonb, sms boolean)
          on conflict (dedupe_key) do nothing
          returning id, sms`,
    params: [
      JSON.stringify(
        notifications.map((n) => ({
          id: newId(),
          user_id: n.userId,
          auction_id: n.auctionId,
          listing_id: n.listingId,
          offer_id: n.offerId ?? null,
          kind: n.kind,
          dedupe_key: n.dedupeKey,
          data: n.data,
          sms: n.sms,
        })),
      ),
    ],
  };
}

/** Writes notices on their own (in the caller's transaction); returns the rows it created. */
export async function writeNotifications(em: EntityManager, notifications: NewNotification[]): Promise<WrittenNotice[]> {
  if (!notifications.length) return [];
  const { sql, params } = notificationInsert(notifications);
  return em.execute<WrittenNotice[]>(sql, params);
}
