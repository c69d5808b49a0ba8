import { Migration } from '@mikro-orm/migrations';

/**
 * Every notification is an inbox item; `read_at` is its read mark. The partial index keeps the
 * unread count (asked on every app open) to the unread rows of one user.
 */
export class Migration20261201100000_inbox extends Migration {
  override name = 'Migration20261201100000_inbox';

  override up(): void {
    this.addSql(`alter table notifications add column read_at timestamptz`);
    this.addSql(`create index notifications_unread_idx on notifications (user_id) where read_at is null`);
    this.addSql(`drop index if exists notifications_user_idx`);
    this.addSql(`create index notifications_user_idx on notifications (user_id, created_at desc, id desc)`);
  }

  override down(): void {
    this.addSql(`drop index if exists notifications_user_idx`);
    this.addSql(`create index notifications_user_idx on notifications (user_id, created_at desc)`);
    this.addSql(`drop index if exists notifications_unread_idx`);
    this.addSql(`alter table notifications drop column read_at`);
  }
}
