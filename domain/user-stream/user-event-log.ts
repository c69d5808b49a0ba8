import type { EntityManager } from '@mikro-orm/postgresql';
import { MESSAGE_COLUMNS, toMessageView, type MessageRow, type MessageView } from '../chat/chat-views.ts';
import { INBOX_COLUMNS, INBOX_JOINS, toInboxItem, type InboxItem, type InboxRow } from '../notifications/inbox.ts';

/**
 * One event of a user's own stream (`GET /v1/me/events`). `seq` numbers the user's events 1, 2,
 * 3... in commit order (the `user_events` migration says how). A `notification` carries the inbox
 * item as `GET /v1/me/notifications` shows it; a `message` the chat message as its conversation
 * shows it (both parties get it, the sender too, so their other devices follow).
 */
export type UserEventData =
  | { userId: string; seq: number; type: 'notification'; notification: InboxItem }
  | { userId: string; seq: number; type: 'message'; message: MessageView };

/**
 * What a user's live channel also carries besides their events: a login of theirs closed (logout,
 * a revoked refresh family) ends the streams opened with it; their account suspended ends all.
 */
export type UserStreamControl = { control: 'session-closed'; userId: string; sessionId: string } | { control: 'account-closed'; userId: string };

type Row = { user_id: string; seq: string | number; type: 'notification' | 'message' } & InboxRow & {
  [K in keyof MessageRow as `msg_${K}`]: MessageRow[K];
};

function toEvent(row: Row): UserEventData {
  const base = { userId: row.user_id, seq: Number(row.seq) };
  if (row.type === 'message') {
    return {
      ...base,
      type: 'message',
      message: toMessageView({ id: row.msg_id, conversation_id: row.msg_conversation_id, sender_id: row.msg_sender_id, text: row.msg_text, created_at: row.msg_created_at }),
    };
  }
  return { ...base, type: 'notification', notification: toInboxItem(row) };
}

const MESSAGE_FIELDS = MESSAGE_COLUMNS.split(',').map((c) => c.trim()).map((c) => `${c} as msg_${c.slice(2)}`).join(', ');

// Inner joins in effect: an event whose notice or message was deleted since has nothing to show.
const EVENT_SELECT = `select e.user_id, e.seq, e.type, ${INBOX_COLUMNS}, ${MESSAGE_FIELDS}
  from user_events e
    left join notifications n on n.id = e.notification_id ${INBOX_JOINS}
    left join messages m on m.id = e.message_id`;
const SHOWN = '(n.id is not null or m.id is not null)';

/** A reconnecting client's missed events, in order. */
export async function userEventsAfter(em: EntityManager, userId: string, afterSeq: number, limit = 500): Promise<UserEventData[]> {
  const rows = await em.execute<Row[]>(`${EVENT_SELECT} where e.user_id = ? and e.seq > ? and ${SHOWN} order by e.seq limit ?`, [userId, afterSeq, limit]);
  return rows.map(toEvent);
}

export async function latestUserEvent(em: EntityManager, userId: string): Promise<UserEventData | null> {
  const [row] = await em.execute<Row[]>(`${EVENT_SELECT} where e.user_id = ? and ${SHOWN} order by e.seq desc limit 1`, [userId]);
  return row ? toEvent(row) : null;
}

const uuidArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

/** The events that new notifications and messages appended, in each user's order: what to publish after commit. */
export async function userEventsOf(em: EntityManager, written: { notificationIds: readonly string[]; messageIds: readonly string[] }): Promise<UserEventData[]> {
  if (!written.notificationIds.length && !written.messageIds.length) return [];
  const rows = await em.execute<Row[]>(
    `${EVENT_SELECT} where (e.notification_id = any(?::uuid[]) or e.message_id = any(?::uuid[])) and ${SHOWN} order by e.user_id, e.seq`,
    [uuidArray(written.notificationIds), uuidArray(written.messageIds)],
  );
  return rows.map(toEvent);
}

const keysOf = (events: readonly { userId: string; seq: number }[]) => JSON.stringify(events.map((e) => ({ user_id: e.userId, seq: e.seq })));

export async function markUserEventsPublished(em: EntityManager, events: readonly UserEventData[]): Promise<void> {
  if (!events.length) return;
  await em.execute(
    `update user_events e set published_at = now()
     from jsonb_to_recordset(?::jsonb) as r(user_id uuid, seq bigint)
     where e.user_id = r.user_id and e.seq = r.seq and e.published_at is null`,
    [keysOf(events)],
  );
}

/**
 * Publishes user events that were committed but never published (their process died between
 * commit and publish, or Redis was down); claimed with SKIP LOCKED, marked after `publish`
 * succeeded, in each user's order. Events younger than `graceMs` are left to their writer.
 */
export async function relayUnpublishedUserEvents(
  em: EntityManager,
  publish: (event: UserEventData) => Promise<void>,
  options: { graceMs: number; limit: number },
): Promise<number> {
  return em.transactional(async (tx) => {
    const keys = await tx.execute<{ user_id: string; seq: string }[]>(
      `select user_id, seq from user_events
       where published_at is null and created_at < now() - make_interval(secs => ?)
       order by created_at limit ? for update skip locked`,
      [options.graceMs / 1000, options.limit],
    );
    if (!keys.length) return 0;
    const claimed = keysOf(keys.map((k) => ({ userId: k.user_id, seq: Number(k.seq) })));
    const rows = await tx.execute<Row[]>(
      `${EVENT_SELECT} join jsonb_to_recordset(?::jsonb) as r(user_id uuid, seq bigint) on r.user_id = e.user_id and r.seq = e.seq
       where ${SHOWN} order by e.user_id, e.seq`,
      [claimed],
    );
    for (const row of rows) await publish(toEvent(row));
    await tx.execute(
      `update user_events e set published_at = now()
       from jsonb_to_recordset(?::jsonb) as r(user_id uuid, seq bigint)
       where e.user_id = r.user_id and e.seq = r.seq`,
      [claimed],
    );
    return keys.length;
  });
}
