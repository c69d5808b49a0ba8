import type { EntityManager } from '@mikro-orm/postgresql';
import { cursorTimestampSql, decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { toPage, type Page } from '../shared/page.ts';
import type { NotificationData, NotificationKind } from './notification-kinds.ts';

/**
 * The inbox is the store of record for every notice: each notification row is an item, whether or
 * not it also went out by SMS. A user sees only their own items.
 */
export interface InboxItem {
  id: string;
  kind: NotificationKind;
  createdAt: Date;
  readAt: Date | null;
  listingId: string | null;
  auctionId: string | null;
  offerId: string | null;
  /** The listing's current title, or null once the listing is gone. */
  listingTitle: string | null;
  data: NotificationData;
}

export interface InboxRow {
  id: string;
  kind: NotificationKind;
  created_at: Date | string;
  read_at: Date | string | null;
  listing_id: string | null;
  auction_id: string | null;
  offer_id: string | null;
  listing_title: string | null;
  data: NotificationData;
  created_key: string;
}

export const toInboxItem = (row: InboxRow): InboxItem => ({
  id: row.id,
  kind: row.kind,
  createdAt: new Date(row.created_at),
  readAt: row.read_at === null ? null : new Date(row.read_at),
  listingId: row.listing_id,
  auctionId: row.auction_id,
  offerId: row.offer_id,
  listingTitle: row.listing_title,
  data: row.data,
});

/** The columns of an inbox item, from `notifications n` with INBOX_JOINS. */
export const INBOX_COLUMNS = `n.id, n.kind, n.created_at, n.read_at, coalesce(n.listing_id, a.listing_id) as listing_id, n.auction_id,
    n.offer_id, l.title as listing_title, n.data, ${cursorTimestampSql('n.created_at')} as created_key`;
export const INBOX_JOINS = `left join auctions a on a.id = n.auction_id
    left join listings l on l.id = coalesce(n.listing_id, a.listing_id)`;

/** Newest first; `unread` keeps only the items not yet marked read. */
export async function listInbox(
  em: EntityManager,
  userId: string,
  options: { cursor: string | undefined; limit: number; unread: boolean },
): Promise<Page<InboxItem>> {
  const after = options.cursor ? decodeCursor(options.cursor, ['timestamp', 'uuid']) : null;
  const rows = await em.execute<InboxRow[]>(
    `select ${INBOX_COLUMNS} from notifications n ${INBOX_JOINS}
     where n.user_id = ? ${options.unread ? 'and n.read_at is null' : ''}
       ${after ? 'and (n.created_at, n.id) < (?::timestamptz, ?::uuid)' : ''}
     order by n.created_at desc, n.id desc limit ?`,
    [userId, ...(after ?? []), options.limit + 1],
  );
  return toPage(rows, options.limit, toInboxItem, (row) => encodeCursor([row.created_key, row.id]));
}

export async function countUnread(em: EntityManager, userId: string): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>(`select count(*)::int as n from notifications where user_id = ? and read_at is null`, [userId]);
  return row!.n;
}

/**
 * Marks the given items (or all of them) read and answers the unread count that remains. Ids that
 * are not the caller's are ignored rather than refused, so a stale client cannot learn which ids
 * exist; marking an item read twice keeps its first read time.
 */
export async function markRead(em: EntityManager, userId: string, which: { ids: readonly string[] } | { all: true }): Promise<number> {
  if ('all' in which) {
    await em.execute(`update notifications set read_at = now() where user_id = ? and read_at is null`, [userId]);
  } else if (which.ids.length > 0) {
    await em.execute(`update notifications set read_at = now() where user_id = ? and read_at is null and id = any(?::uuid[])`, [
      userId,
      `{${which.ids.join(',')}}`,
    ]);
  }
  return countUnread(em, userId);
}
