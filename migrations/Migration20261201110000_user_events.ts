import { Migration } from '@mikro-orm/migrations';

/**
 * Each user's own event sequence, the log behind `GET /v1/me/events`: numbered 1, 2, 3... per
 * user in commit order, so a reconnect with Last-Event-ID misses nothing and repeats nothing.
 *
 * The number comes from a per-user counter row, incremented in the writing transaction: its row
 * lock holds the next writer for that user until this one commits (or rolls back, which hands its
 * number back), so seq order is commit order. A trigger on `notifications` appends the event, so
 * every writer of a notice (one statement CTEs included) feeds the stream without having to know
 * of it. A statement's rows take their counters in user order, so two statements writing notices
 * for the same users lock them in the same order and cannot deadlock each other.
 */
export class Migration20261201110000_user_events extends Migration {
  override name = 'Migration20261201110000_user_events';

  override up(): void {
    this.addSql(`
      create table user_event_counters (
        user_id uuid primary key references users (id) on delete cascade,
        last_seq bigint not null
      )`);
    this.addSql(`
      create table user_events (
        user_id uuid not null references users (id) on delete cascade,
        seq bigint not null,
        type text not null check (type in ('notification')),
        notification_id uuid references notifications (id) on delete cascade,
        created_at timestamptz not null default now(),
        published_at timestamptz,
        primary key (user_id, seq)
      )`);
    this.addSql(`create index user_events_unpublished_idx on user_events (created_at) where published_at is null`);
    this.addSql(`create index user_events_notification_idx on user_events (notification_id) where notification_id is not null`);
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
    this.addSql(`
      create function notifications_to_user_events() returns trigger
      language plpgsql as $$
      declare r record;
      begin
        for r in select id, user_id from inserted order by user_id, id loop
          perform append_user_event(r.user_id, 'notification', r.id);
        end loop;
        return null;
      end $$`);
    this.addSql(`
      create trigger notifications_user_events after insert on notifications
        referencing new table as inserted for each statement execute function notifications_to_user_events()`);
  }

  override down(): void {
    this.addSql('drop trigger if exists notifications_user_events on notifications');
    this.addSql('drop function if exists notifications_to_user_events()');
    this.addSql('drop function if exists append_user_event(uuid, text, uuid)');
    this.addSql('drop table if exists user_events, user_event_counters');
  }
}
