import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * What the periodic sweep repairs: work whose job was lost (Redis lost its data, a process died
 * between commit and enqueue). Each query is cheap and bounded, and re-doing work is harmless.
 */

export async function findOverdueAuctionIds(em: EntityManager, limit = 500): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `select id from auctions where status <> 'closed' and ends_at <= clock_timestamp() order by ends_at limit ?`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/** Pending notifications that have waited long enough that their job was probably lost. */
export async function findStrandedNotificationIds(em: EntityManager, olderThanS: number, limit = 1000): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `select id from notifications where status = 'pending' and created_at < now() - make_interval(secs => ?) order by created_at limit ?`,
    [olderThanS, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Creates "ending soon" notices for everyone who liked an auction's listing (not the seller), once
 * per auction. Auctions locked by a bid right now are skipped and caught by the next sweep.
 */
export async function queueEndingSoonNotices(em: EntityManager, noticeS: number): Promise<string[]> {
  if (noticeS <= 0) return [];
  const rows = await em.execute<{ id: string }[]>(
    `with due as (
       select a.id, a.current_price, a.listing_id, a.seller_id from auctions a
       where a.status <> 'closed' and a.ending_soon_notified_at is null
         and a.ends_at > clock_timestamp() and a.ends_at <= clock_timestamp() + make_interval(secs => ?)
       order by a.ends_at limit 200
       for no key update skip locked),
     marked as (update auctions set ending_soon_notified_at = clock_timestamp() where id in (select id from due))
     insert into notifications (id, user_id, auction_id, kind, dedupe_key, data)
     select gen_random_uuid(), k.user_id, due.id, 'ending_soon', 'ending_soon:' || due.id || ':' || k.user_id,
            jsonb_build_object('price', due.current_price, 'minutes', ceil(?::numeric / 60))
     from due join listing_likes k on k.listing_id = due.listing_id
     where k.user_id <> due.seller_id
     on conflict (dedupe_key) do nothing
     returning id`,
    [noticeS, noticeS],
  );
  return rows.map((r) => r.id);
}

export async function purgeExpiredIdempotencyKeys(em: EntityManager): Promise<number> {
  const rows = await em.execute<{ n: number }[]>(
    `with gone as (delete from idempotency_keys where ctid in (
       select ctid from idempotency_keys where created_at < now() - interval '24 hours' limit 5000) returning 1)
     select count(*)::int as n from gone`,
  );
  return rows[0]?.n ?? 0;
}

/** Photos still waiting to be processed long after they were attached: their job was lost. */
export async function findStalledPhotoIds(em: EntityManager, olderThanS: number, limit = 500): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `select id from listing_photos where status = 'processing' and updated_at < now() - make_interval(secs => ?) order by updated_at limit ?`,
    [olderThanS, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Uploads nobody attached: pending ones past their URL's expiry, and received ones left unattached
 * for a day. Their rows go, and their objects (originals that may carry GPS) are returned for removal.
 */
export async function purgeAbandonedUploads(em: EntityManager, limit = 1000): Promise<string[]> {
  const rows = await em.execute<{ object_key: string }[]>(
    `delete from uploads where id in (
       select id from uploads
       where (status = 'pending' and expires_at < now() - interval '1 hour')
          or (status = 'uploaded' and created_at < now() - interval '24 hours')
       limit ?)
     returning object_key`,
    [limit],
  );
  return rows.map((r) => r.object_key);
}
