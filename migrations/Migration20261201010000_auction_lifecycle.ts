import { Migration } from '@mikro-orm/migrations';

/**
 * The whole life of an auction. A listing whose auction ended without a sale (unsold, cancelled,
 * or its trade called off) is `ended` until the seller relists it, and a relisted listing gets a new
 * auction, so a listing may have several auctions (one not yet closed at a time). Trades keep the
 * title they were made with and why they were called off. Offers (second-chance offers to an
 * auction's runner-up, price offers later) expire by the database clock. Some notices are for the
 * inbox only, never an SMS.
 */
export class Migration20261201010000_auction_lifecycle extends Migration {
  override name = 'Migration20261201010000_auction_lifecycle';

  override up(): void {
    this.addSql(`alter table listings drop constraint listings_status_check`);
    this.addSql(`alter table listings add constraint listings_status_check check (status in ('on_sale', 'reserved', 'sold', 'ended'))`);

    this.addSql(`alter table auctions drop constraint auctions_listing_id_key`);
    this.addSql(`create unique index auctions_one_live_per_listing on auctions (listing_id) where status <> 'closed'`);
    this.addSql(`create index auctions_listing_newest_idx on auctions (listing_id, created_at desc)`);
    this.addSql(`alter table auctions add column cancel_reason text`);

    this.addSql(`alter table trades add column title text`);
    this.addSql(`update trades t set title = l.title from listings l where l.id = t.listing_id`);
    this.addSql(`alter table trades alter column title set not null`);
    this.addSql(`alter table trades add column auction_id uuid references auctions (id) on delete set null`);
    this.addSql(`update trades t set auction_id = a.id from auctions a where t.kind = 'auction' and a.listing_id = t.listing_id`);
    this.addSql(`alter table trades add column cancel_reason text`);
    this.addSql(`alter table trades add column cancelled_by uuid references users (id) on delete set null`);
    this.addSql(`alter table trades add column cancelled_at timestamptz`);

    this.addSql(`
      create table offers (
        id uuid primary key,
        kind text not null check (kind in ('second_chance')),
        listing_id uuid not null references listings (id) on delete cascade,
        auction_id uuid references auctions (id) on delete cascade,
        seller_id uuid not null references users (id) on delete cascade,
        buyer_id uuid not null references users (id) on delete cascade,
        amount bigint not null check (amount > 0),
        status text not null default 'pending' check (status in ('pending', 'accepted', 'expired', 'withdrawn')),
        expires_at timestamptz not null,
        trade_id uuid references trades (id) on delete set null,
        created_at timestamptz not null default now(),
        decided_at timestamptz,
        check (buyer_id <> seller_id)
      )`);
    // One second chance per auction: the seller cannot offer it twice, to anyone.
    this.addSql(`create unique index offers_one_second_chance_per_auction on offers (auction_id) where kind = 'second_chance'`);
    this.addSql(`create index offers_buyer_idx on offers (buyer_id, created_at desc)`);
    this.addSql(`create index offers_pending_expiry_idx on offers (expires_at) where status = 'pending'`);

    this.addSql(`alter table notifications add column sms boolean not null default true`);
    this.addSql(`drop index notifications_pending_idx`);
    this.addSql(`create index notifications_pending_idx on notifications (created_at) where status = 'pending' and sms`);
    this.addSql(`alter table notifications add column offer_id uuid references offers (id) on delete cascade`);
    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check check (kind in (
      'auction_won', 'auction_sold', 'auction_unsold', 'auction_lost', 'auction_cancelled', 'outbid', 'ending_soon',
      'trade_cancelled', 'second_chance_offer'))`);
  }

  override down(): void {
    this.addSql(`delete from notifications where kind in ('auction_lost', 'auction_cancelled', 'second_chance_offer')`);
    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check
      check (kind in ('auction_won', 'auction_sold', 'auction_unsold', 'outbid', 'ending_soon', 'trade_cancelled'))`);
    this.addSql(`alter table notifications drop column offer_id`);
    this.addSql(`drop index notifications_pending_idx`);
    this.addSql(`create index notifications_pending_idx on notifications (created_at) where status = 'pending'`);
    this.addSql(`alter table notifications drop column sms`);
    this.addSql(`drop table offers`);
    this.addSql(`alter table trades drop column cancelled_at, drop column cancelled_by, drop column cancel_reason, drop column auction_id, drop column title`);
    this.addSql(`alter table auctions drop column cancel_reason`);
    this.addSql(`drop index auctions_listing_newest_idx`);
    this.addSql(`drop index auctions_one_live_per_listing`);
    this.addSql(`alter table auctions add constraint auctions_listing_id_key unique (listing_id)`);
    this.addSql(`update listings set status = 'on_sale' where status = 'ended'`);
    this.addSql(`alter table listings drop constraint listings_status_check`);
    this.addSql(`alter table listings add constraint listings_status_check check (status in ('on_sale', 'reserved', 'sold'))`);
  }
}
