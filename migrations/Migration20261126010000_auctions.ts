import { Migration } from '@mikro-orm/migrations';

/** Auctions, their bids, the outbox of auction events, and stored idempotent bid responses. */
export class Migration20261126010000_auctions extends Migration {
  override name = 'Migration20261126010000_auctions';

  override up(): void {
    this.addSql(`
      create table auctions (
        id uuid primary key,
        listing_id uuid not null unique references listings (id) on delete cascade,
        seller_id uuid not null references users (id) on delete cascade,
        status text not null check (status in ('scheduled', 'open', 'closed')),
        outcome text check (outcome in ('sold', 'unsold', 'cancelled')),
        start_price bigint not null check (start_price > 0),
        current_price bigint not null check (current_price > 0),
        leader_id uuid references users (id),
        leader_max_amount bigint,
        bid_count integer not null default 0 check (bid_count >= 0),
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        original_ends_at timestamptz not null,
        buy_now_price bigint check (buy_now_price > 0),
        reserve_price bigint check (reserve_price > 0),
        reserve_met boolean,
        event_seq bigint not null default 0,
        closed_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check ((status = 'closed') = (outcome is not null))
      )`);
    // What the closer and the sweeper look for: auctions not yet closed, by end time.
    this.addSql(`create index auctions_due_idx on auctions (ends_at) where status <> 'closed'`);
    this.addSql(`create index auctions_seller_idx on auctions (seller_id)`);

    this.addSql(`
      create table bids (
        id uuid primary key,
        auction_id uuid not null references auctions (id) on delete cascade,
        bidder_id uuid not null references users (id) on delete cascade,
        amount bigint not null check (amount > 0),
        max_amount bigint,
        kind text not null check (kind in ('bid', 'proxy', 'max_raise')),
        -- Rows of one auction are inserted under its row lock, so this global sequence orders
        -- them exactly as they were committed.
        seq bigint generated always as identity,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`create index bids_auction_history_idx on bids (auction_id, seq desc)`);
    this.addSql(`create index bids_bidder_idx on bids (bidder_id, auction_id)`);

    // The outbox: written in the bid's transaction, delivered to Redis after commit by a relay.
    this.addSql(`
      create table auction_events (
        auction_id uuid not null references auctions (id) on delete cascade,
        seq bigint not null,
        type text not null,
        payload jsonb not null,
        created_at timestamptz not null default now(),
        published_at timestamptz,
        primary key (auction_id, seq)
      )`);
    this.addSql(`create index auction_events_unpublished_idx on auction_events (created_at) where published_at is null`);

    this.addSql(`
      create table idempotency_keys (
        user_id uuid not null references users (id) on delete cascade,
        key text not null,
        request_hash text not null,
        status_code integer not null,
        response jsonb not null,
        created_at timestamptz not null default now(),
        primary key (user_id, key)
      )`);
    this.addSql(`create index idempotency_keys_created_idx on idempotency_keys (created_at)`);
  }

  override down(): void {
    this.addSql('drop table if exists idempotency_keys, auction_events, bids, auctions');
  }
}
