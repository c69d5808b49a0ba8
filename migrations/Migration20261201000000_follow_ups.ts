import { Migration } from '@mikro-orm/migrations';

/**
 * Follow-ups that outlive their process: `job_outbox` holds the jobs a change declares, written in
 * its transaction and removed once enqueued (the relay enqueues what a dead process left). Notices
 * may now be about a listing without an auction (a called-off trade), and are found per auction and
 * recipient (ending-soon notices per liker; also what a cascading auction delete walks).
 */
export class Migration20261201000000_follow_ups extends Migration {
  override name = 'Migration20261201000000_follow_ups';

  override up(): void {
    this.addSql(`
      create table job_outbox (
        id uuid primary key,
        name text not null,
        payload jsonb not null,
        job_id text not null,
        -- due time by the database clock; null runs at once
        run_at timestamptz,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`create index job_outbox_created_idx on job_outbox (created_at)`);
    this.addSql(`alter table notifications add column listing_id uuid references listings (id) on delete cascade`);
    this.addSql(`create index notifications_listing_idx on notifications (listing_id) where listing_id is not null`);
    this.addSql(`create index notifications_auction_idx on notifications (auction_id, user_id, kind)`);
    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check
      check (kind in ('auction_won', 'auction_sold', 'auction_unsold', 'outbid', 'ending_soon', 'trade_cancelled'))`);
  }

  override down(): void {
    this.addSql(`delete from notifications where kind = 'trade_cancelled'`);
    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check
      check (kind in ('auction_won', 'auction_sold', 'auction_unsold', 'outbid', 'ending_soon'))`);
    this.addSql('drop index if exists notifications_auction_idx');
    this.addSql('alter table notifications drop column listing_id');
    this.addSql('drop table if exists job_outbox');
  }
}
