import type { EntityManager } from '@mikro-orm/postgresql';
import { INBOX_COLUMNS, INBOX_JOINS, toInboxItem, type InboxItem, type InboxRow } from '../notifications/inbox.ts';

/**
 * One event of a user's own stream (`GET /v1/me/events`). `seq` numbers the user's events 1, 2,
 * 3... in commit order (the `user_events` migration says how); a `notification` event carries the
 * inbox item as `GET /v1/me/notifications` shows it.
 */
export interface UserEventData {
  userId: string;
  seq: number;
  type: 'notification';
  notification: InboxItem;
}

/**
 * What a user's live channel also carries besides their events: a session of theirs closed (every
 * stream opened with it ends), or their account suspended (every stream ends).
 */
export type UserStreamControl = { control: 'session-closed'; userId: string; sessionId: string } | { control: 'account-closed'; userId: string };

type Row = InboxRow & { user_id: string; seq: string | number };

const toEvent = (row: Row): UserEventData => ({ userId: row.user_id, seq: Number(row.seq), type: 'notification', notification: toInboxItem(row) });

const EVENT_SELECT = `select e.user_id, e.seq, ${INBOX_COLUMNS}
  from user_events e join notifications n on n.id = e.notification_id ${INBOX_JOINS}`;

/** A reconnecting client's missed events, in order (an event whose notice was deleted since is skipped). */
export async function userEventsAfter(em: EntityManager, userId: string, afterSeq: number, limit = 500): Promise<UserEventData[]> {
  const rows = await em.execute<Row[]>(`${EVENT_SELECT} where e.user_id = ? and e.seq > ? order by e.seq limit ?`, [userId, afterSeq, limit]);
  return rows.map(toEvent);
}

export async function latestUserEvent(em: EntityManager, userId: string): Promise<UserEventData | null> {
  const [row] = await em.execute<Row[]>(`${EVENT_SELECT} where e.user_id = ? order by e.seq desc limit 1`, [userId]);
  return row ? toEvent(row) : null;
}

/** The events the given new notifications appended, in each user's order: what to publish after commit. */
export async function userEventsOfNotifications(em: EntityManager, notificationIds: readonly string[]): Promise<UserEventData[]> {
  if (!notificationIds.length) return [];
  const rows = await em.execute<Row[]>(`${EVENT_SELECT} where e.notification_id = any(?::uuid[]) order by e.user_id, e.seq`, [`{${notificationIds.join(',')}}`]);
  return rows.map(toEvent);
}

export async function markUserEventsPublished(em: EntityManager, events: readonly UserEventData[]): Promise<void> {
  if (!events.length) return;
  await em.execute(
    `update user_events e set published_at = now()
     from jsonb_to_recordset(?::jsonb) as r(user_id uuid, seq bigint)
     where e.user_id = r.user_id and e.seq = r.seq and e.published_at is null`,
    [JSON.stringify(events.map((e) => ({ user_id: e.userId, seq: e.seq })))],
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
    const claimed = JSON.stringify(keys.map((k) => ({ user_id: k.user_id, seq: Number(k.seq) })));
    const rows = await tx.execute<Row[]>(
      `${EVENT_SELECT} join jsonb_to_recordset(?::jsonb) as r(user_id uuid, seq bigint) on r.user_id = e.user_id and r.seq = e.seq
       order by e.user_id, e.seq`,
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
