import test from 'ava';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { NOTIFICATION_KINDS } from '../../domain/notifications/notification-kinds.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/**
 * Each migration that adds a notification kind restates the table's check of kinds; one written
 * without another branch's kind would refuse that kind's notices at run time. The database must
 * take every kind the code declares, and nothing else.
 */
let db: TestDatabase;
let client: pg.Client;
test.before(async () => {
  db = await createTestDatabase('notificationkinds');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
test.after.always(async () => {
  await client?.end();
  await db?.drop();
});

test('the notifications table takes exactly the kinds the code declares', async (t) => {
  const [user] = (await client.query<{ id: string }>(`insert into users (id, phone, password_hash, nickname) values ($1, '+821099990000', 'x', 'k') returning id`, [randomUUID()])).rows;
  const takes = async (kind: string) => {
    await client.query('savepoint k');
    try {
      await client.query(`insert into notifications (id, user_id, kind, dedupe_key, sms) values ($1, $2, $3, $4, false)`, [randomUUID(), user!.id, kind, randomUUID()]);
      return true;
    } catch {
      return false;
    } finally {
      await client.query('rollback to savepoint k');
    }
  };
  await client.query('begin');
  try {
    for (const kind of NOTIFICATION_KINDS) t.true(await takes(kind), kind);
    t.false(await takes('not_a_kind'));
  } finally {
    await client.query('rollback');
  }
});
