import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, cursorTimestampSql } from '../shared/cursor.ts';
import { toPage, type Page } from '../shared/page.ts';
import { LISTING_VIEW_COLUMNS, listingViewParams, toListingView, type ListingRow, type ListingView } from './listing-view.ts';

export interface LikeState {
  listingId: string;
  liked: boolean;
  likeCount: number;
}

// One statement each, so the like row and the counter cannot disagree and a repeated PUT or
// DELETE is a no-op (both are idempotent, as their HTTP methods promise). The listing row is
// locked first, so a request that waited for a concurrent one reads the listing as that one left
// it, not as the statement's older snapshot saw it: a repeated like reports the count its twin
// made (not "liked, 0 likes"), and a listing deleted meanwhile is a 404 (not a foreign-key 500).
const LIKE = `
  with target as (select id, like_count from listings where id = ? for no key update),
  added as (insert into listing_likes (user_id, listing_id) select ?, id from target on conflict do nothing returning listing_id),
  counted as (update listings set like_count = like_count + 1 where id in (select listing_id from added) returning like_count)
  select (select count(*) from target)::int as found,
         coalesce((select like_count from counted), (select like_count from target)) as like_count`;

const UNLIKE = `
  with target as (select id, like_count from listings where id = ? for no key update),
  removed as (delete from listing_likes where user_id = ? and listing_id in (select id from target) returning listing_id),
  counted as (update listings set like_count = like_count - 1 where id in (select listing_id from removed) returning like_count)
  select (select count(*) from target)::int as found,
         coalesce((select like_count from counted), (select like_count from target)) as like_count`;

async function toggle(em: EntityManager, sql: string, userId: string, listingId: string, liked: boolean): Promise<LikeState> {
  const [row] = await em.execute<{ found: number; like_count: number }[]>(sql, [listingId, userId]);
  if (!row?.found) throw notFound('listing');
  return { listingId, liked, likeCount: row.like_count };
}

export const likeListing = (em: EntityManager, userId: string, listingId: string) => toggle(em, LIKE, userId, listingId, true);

export const unlikeListing = (em: EntityManager, userId: string, listingId: string) => toggle(em, UNLIKE, userId, listingId, false);

type LikedRow = ListingRow & { liked_key: string };

/** The caller's watchlist, most recently liked first. */
export async function listLikedListings(em: EntityManager, userId: string, cursor: string | undefined, limit: number): Promise<Page<ListingView>> {
  const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
  const rows = await em.execute<LikedRow[]>(
    `select ${LISTING_VIEW_COLUMNS},
            ${cursorTimestampSql('k.created_at')} as liked_key
     from listing_likes k
     join listings l on l.id = k.listing_id
     join users u on u.id = l.seller_id
     where k.user_id = ? ${after ? 'and (k.created_at, k.listing_id) < (?::timestamptz, ?::uuid)' : ''}
     order by k.created_at desc, k.listing_id desc
     limit ?`,
    [...listingViewParams(userId), userId, ...(after ?? []), limit + 1],
  );
  return toPage(rows, limit, toListingView, (row) => encodeCursor([row.liked_key, row.id]));
}
