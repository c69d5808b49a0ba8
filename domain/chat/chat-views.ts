import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import { cursorTimestampSql, decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { toPage, type Page } from '../shared/page.ts';
import { assertParty } from './chat-rules.ts';

export interface MessageView {
  id: string;
  conversationId: string;
  senderId: string;
  text: string;
  createdAt: Date;
}

export interface ConversationView {
  id: string;
  /** Null once the listing is deleted: the conversation is then read-only. */
  listingId: string | null;
  listingTitle: string;
  sellerId: string;
  buyerId: string;
  createdAt: Date;
  lastMessage: MessageView | null;
  /** The other party's messages after my read mark. */
  unreadCount: number;
  /** False once the listing is gone, either party has blocked the other, or either is suspended. */
  writable: boolean;
}

export interface ConversationRow {
  id: string;
  listing_id: string | null;
  listing_title: string;
  seller_id: string;
  buyer_id: string;
  created_at: Date | string;
  seller_read_at: Date | string | null;
  buyer_read_at: Date | string | null;
}

export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.sender_id, m.text, m.created_at`;

export interface MessageRow {
  id: string;
  conversation_id: string;
  sender_id: string;
  text: string;
  created_at: Date | string;
}

export const toMessageView = (row: MessageRow): MessageView => ({
  id: row.id,
  conversationId: row.conversation_id,
  senderId: row.sender_id,
  text: row.text,
  createdAt: new Date(row.created_at),
});

/** The conversation if `userId` is one of its parties: 404 when there is none, 403 for anyone else. */
export async function findConversationFor(em: EntityManager, userId: string, conversationId: string, options: { lock?: boolean } = {}): Promise<ConversationRow> {
  const [row] = await em.execute<ConversationRow[]>(
    `select id, listing_id, listing_title, seller_id, buyer_id, created_at, seller_read_at, buyer_read_at
     from conversations where id = ? ${options.lock ? 'for update' : ''}`,
    [conversationId],
  );
  if (!row) throw notFound('conversation');
  assertParty({ sellerId: row.seller_id, buyerId: row.buyer_id }, userId);
  return row;
}

interface ListRow extends ConversationRow {
  last_id: string | null;
  last_sender_id: string | null;
  last_text: string | null;
  last_created_at: Date | string | null;
  unread: number;
  blocked: boolean;
  suspended: boolean;
  sort_key: string;
}

/**
 * `me` is a SQL parameter placeholder bound to the caller; the unread count is the other party's
 * messages after the caller's read mark, counted on the conversation's message index.
 */
const CONVERSATION_SELECT = `select c.id, c.listing_id, c.listing_title, c.seller_id, c.buyer_id, c.created_at, c.seller_read_at, c.buyer_read_at,
    lm.id as last_id, lm.sender_id as last_sender_id, lm.text as last_text, lm.created_at as last_created_at,
    (select count(*)::int from messages u where u.conversation_id = c.id and u.sender_id <> $me
       and u.created_at > coalesce(case when c.seller_id = $me then c.seller_read_at else c.buyer_read_at end, '-infinity')) as unread,
    exists (select 1 from blocks bl where (bl.blocker_id = c.seller_id and bl.blocked_id = c.buyer_id)
                                       or (bl.blocker_id = c.buyer_id and bl.blocked_id = c.seller_id)) as blocked,
    exists (select 1 from users su where su.id in (c.seller_id, c.buyer_id) and su.suspended_at is not null) as suspended,
    ${cursorTimestampSql('coalesce(c.last_message_at, c.created_at)')} as sort_key
  from conversations c
    left join lateral (select ${MESSAGE_COLUMNS} from messages m where m.conversation_id = c.id order by m.created_at desc, m.id desc limit 1) lm on true`;

const toConversationView = (row: ListRow): ConversationView => ({
  id: row.id,
  listingId: row.listing_id,
  listingTitle: row.listing_title,
  sellerId: row.seller_id,
  buyerId: row.buyer_id,
  createdAt: new Date(row.created_at),
  lastMessage: row.last_id
    ? toMessageView({ id: row.last_id, conversation_id: row.id, sender_id: row.last_sender_id!, text: row.last_text!, created_at: row.last_created_at! })
    : null,
  unreadCount: row.unread,
  writable: row.listing_id !== null && !row.blocked && !row.suspended,
});

/** Binds `$me` (used several times) as ordinary positional parameters. */
function withMe(sql: string, me: string): { sql: string; params: string[] } {
  const params: string[] = [];
  return { sql: sql.replace(/\$me/g, () => (params.push(me), '?::uuid')), params };
}

export async function findConversationView(em: EntityManager, userId: string, conversationId: string): Promise<ConversationView> {
  await findConversationFor(em, userId, conversationId);
  const select = withMe(CONVERSATION_SELECT, userId);
  const [row] = await em.execute<ListRow[]>(`${select.sql} where c.id = ?`, [...select.params, conversationId]);
  return toConversationView(row!);
}

/** Mine as seller or buyer, the most recently active first. */
export async function listMyConversations(em: EntityManager, userId: string, cursor: string | undefined, limit: number): Promise<Page<ConversationView>> {
  const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
  const select = withMe(CONVERSATION_SELECT, userId);
  const rows = await em.execute<ListRow[]>(
    `${select.sql}
     where (c.seller_id = ? or c.buyer_id = ?)
       ${after ? 'and (coalesce(c.last_message_at, c.created_at), c.id) < (?::timestamptz, ?::uuid)' : ''}
     order by coalesce(c.last_message_at, c.created_at) desc, c.id desc limit ?`,
    [...select.params, userId, userId, ...(after ?? []), limit + 1],
  );
  return toPage(rows, limit, toConversationView, (row) => encodeCursor([row.sort_key, row.id]));
}

/** Newest first. */
export async function listMessages(em: EntityManager, userId: string, conversationId: string, cursor: string | undefined, limit: number): Promise<Page<MessageView>> {
  await findConversationFor(em, userId, conversationId);
  const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
  const rows = await em.execute<(MessageRow & { created_key: string })[]>(
    `select ${MESSAGE_COLUMNS}, ${cursorTimestampSql('m.created_at')} as created_key from messages m
     where m.conversation_id = ? ${after ? 'and (m.created_at, m.id) < (?::timestamptz, ?::uuid)' : ''}
     order by m.created_at desc, m.id desc limit ?`,
    [conversationId, ...(after ?? []), limit + 1],
  );
  return toPage(rows, limit, toMessageView, (row) => encodeCursor([row.created_key, row.id]));
}
