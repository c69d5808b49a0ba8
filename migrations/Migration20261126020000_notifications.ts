import { Migration } from '@mikro-orm/migrations';

/**
 * Notifications to send (SMS), written in the same transaction as the change that causes them.
 * `dedupe_key` names (auction, recipient, kind), so a retried settlement cannot queue a second one.
 */
export class Migration20261126020000_notifications extends Migration {
  override name = 'Migration20261126020000_notifications';

  override up(): void {
    this.addSql(`
      create table notifications (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        auction_id uuid references auctions (id) on delete cascade,
        kind text not null check (kind in ('auction_won', 'auction_sold', 'auction_unsold', 'outbid', 'ending_soon')),
        dedupe_key text not null unique,
        -- what the text needs besides the listing title (price, reason, ...); rendered when sent
        data jsonb not null default '{}',
        message text,
        status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
        attempts integer not null default 0,
        last_error text,
        provider_message_id text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        sent_at timestamptz
      )`);
    this.addSql(`create index notifications_pending_idx on notifications (created_at) where status = 'pending'`);
    this.addSql(`create index notifications_user_idx on notifications (user_id, created_at desc)`);
    this.addSql(`alter table auctions add column ending_soon_notified_at timestamptz`);
  }

  override down(): void {
    this.addSql('alter table auctions drop column ending_soon_notified_at');
    this.addSql('drop table if exists notifications');
  }
}
