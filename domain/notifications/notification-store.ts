import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '../shared/ids.ts';
import type { NewNotification } from './notification-kinds.ts';

/** Inserts what is new and returns the ids of the rows actually created (duplicates are skipped). */
export async function insertNotifications(em: EntityManager, notifications: NewNotification[]): Promise<string[]> {
  if (!notifications.length) return [];
  const rows = await em.execute<{ id: string }[]>(
    `insert into notifications (id, user_id, auction_id, kind, dedupe_key, data)
     select (n->>'id')::uuid, (n->>'userId')::uuid, (n->>'auctionId')::uuid, n->>'kind', n->>'dedupeKey', n->'data'
     from jsonb_array_elements(?::jsonb) as n
     on conflict (dedupe_key) do nothing
     returning id`,
    [JSON.stringify(notifications.map((n) => ({ ...n, id: newId() })))],
  );
  return rows.map((r) => r.id);
}
