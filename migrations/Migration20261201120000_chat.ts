import { Migration } from '@mikro-orm/migrations';

/**
 * Chat between a listing's seller and one buyer, and blocks between users.
 * - One conversation per (listing, buyer). It outlives the listing's sale; when the listing is
 *   deleted `listing_id` becomes null (the title is kept) and the conversation is read-only.
 * - Each party's read mark is a time: unread = the other party's messages after it.
 * - Every message appends an event to both parties' own streams (`append_user_event`).
 */
export class Migration20261201120000_chat extends Migration {
  override name = 'Migration20261201120000_chat';

  override up(): void {
    this.addSql(`
      create table conversations (
        id uuid primary key,
        listing_id uuid references listings (id) on delete set null,
        listing_title text not null,
        seller_id uuid not null references users (id) on delete cascade,
        buyer_id uuid not null references users (id) on delete cascade,
        created_at timestamptz not null default now(),
        last_message_at timestamptz,
        seller_read_at timestamptz,
        buyer_read_at timestamptz,
        check (seller_id <> buyer_id)
      )`);
    this.addSql(`create unique index conversations_listing_buyer_idx on conversations (listing_id, buyer_id) where listing_id is not null`);
    this.addSql(`create index conversations_seller_idx on conversations (seller_id, (coalesce(last_message_at, created_at)) desc, id desc)`);
    this.addSql(`create index conversations_buyer_idx on conversations (buyer_id, (coalesce(last_message_at, created_at)) desc, id desc)`);
    this.addSql(`
      create table messages (
        id uuid primary key,
        conversation_id uuid not null references conversations (id) on delete cascade,
        sender_id uuid not null references users (id) on delete cascade,
        text text not null check (char_length(text) between 1 and 1000),
        created_at timestamptz not null default now()
      )`);
    this.addSql(`create index messages_conversation_idx on messages (conversation_id, created_at desc, id desc)`);

    this.addSql(`
      create table blocks (
        blocker_id uuid not null references users (id) on delete cascade,
        blocked_id uuid not null references users (id) on delete cascade,
        created_at timestamptz not null default now(),
        primary key (blocker_id, blocked_id),
        check (blocker_id <> blocked_id)
      )`);
    this.addSql(`create index blocks_blocked_idx on blocks (blocked_id, blocker_id)`);

    this.addSql(`alter table user_events drop constraint user_events_type_check`);
    this.addSql(`alter table user_events add constraint user_events_type_check check (type in ('notification', 'message'))`);
    this.addSql(`alter table user_events add column message_id uuid references messages (id) on delete cascade`);
    this.addSql(`drop function append_user_event(uuid, text, uuid)`);
    this.addSql(`
      create function append_user_event(target uuid, event_type text, notification uuid, message uuid default null) returns bigint
      language plpgsql as $$
      declare next_seq bigint;
      begin
        insert into user_event_counters as c (user_id, last_seq) values (target, 1)
          on conflict (user_id) do update set last_seq = c.last_seq + 1
          returning last_seq into next_seq;
        insert into user_events (user_id, seq, type, notification_id, message_id) values (target, next_seq, event_type, notification, message);
        return next_seq;
      end $$`);

    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check check (kind in (
      'auction_won', 'auction_sold', 'auction_unsold', 'auction_lost', 'auction_cancelled', 'outbid', 'ending_soon',
      'trade_cancelled', 'second_chance_offer', 'trade_expired', 'new_message'))`);
  }

  override down(): void {
    this.addSql(`delete from notifications where kind = 'new_message'`);
    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check check (kind in (
      'auction_won', 'auction_sold', 'auction_unsold', 'auction_lost', 'auction_cancelled', 'outbid', 'ending_soon',
      'trade_cancelled', 'second_chance_offer', 'trade_expired'))`);
    this.addSql(`delete from user_events where type = 'message'`);
    this.addSql(`alter table user_events drop column message_id`);
    this.addSql(`alter table user_events drop constraint user_events_type_check`);
    this.addSql(`alter table user_events add constraint user_events_type_check check (type in ('notification'))`);
    this.addSql(`drop function append_user_event(uuid, text, uuid, uuid)`);
    this.addSql(`
      create function append_user_event(target uuid, event_type text, notification uuid) returns bigint
      language plpgsql as $$
      declare next_seq bigint;
      begin
        insert into user_event_counters as c (user_id, last_seq) values (target, 1)
          on conflict (user_id) do update set last_seq = c.last_seq + 1
          returning last_seq into next_seq;
        insert into user_events (user_id, seq, type, notification_id) values (target, next_seq, event_type, notification);
        return next_seq;
      end $$`);
    this.addSql('drop table if exists blocks, messages, conversations');
  }
}
