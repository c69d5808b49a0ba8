import { Migration } from '@mikro-orm/migrations';

/**
 * Reviews after a completed trade, and keyword alerts.
 * - One review per party per trade (`unique (trade_id, reviewer_id)`); the reviewee is the other
 *   party. Read newest first per reviewee for profiles.
 * - A keyword alert keeps its keyword as typed and as words normalised the way search normalises
 *   a query (`simple` parser). `lookup_word` (the longest word) is what a new listing's word
 *   prefixes are looked up by, one btree probe each, so matching never scans every alert.
 * - The notification kinds check is restated with every kind so far (the price offers' included) plus `review_prompt` and
 *   `keyword_match`.
 */
export class Migration20261201150000_reviews_alerts extends Migration {
  override name = 'Migration20261201150000_reviews_alerts';

  override up(): void {
    this.addSql(`
      create table reviews (
        id uuid primary key,
        trade_id uuid not null references trades (id) on delete cascade,
        reviewer_id uuid not null references users (id) on delete cascade,
        reviewee_id uuid not null references users (id) on delete cascade,
        reviewer_role text not null check (reviewer_role in ('buyer', 'seller')),
        rating text not null check (rating in ('good', 'neutral', 'bad')),
        text text check (char_length(text) between 1 and 1000),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (trade_id, reviewer_id),
        check (reviewer_id <> reviewee_id)
      )`);
    this.addSql(`create index reviews_reviewee_idx on reviews (reviewee_id, created_at desc, id desc)`);

    this.addSql(`
      create table keyword_alerts (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        keyword text not null check (char_length(keyword) between 1 and 30),
        words text[] not null check (cardinality(words) between 1 and 5),
        lookup_word text not null,
        created_at timestamptz not null default now(),
        unique (user_id, words)
      )`);
    // Covering: a match reads the index alone (once vacuumed), not one heap page per alert found.
    this.addSql(`create index keyword_alerts_lookup_idx on keyword_alerts (lookup_word) include (user_id, created_at, id, words, keyword)`);
    this.addSql(`create index keyword_alerts_user_idx on keyword_alerts (user_id, created_at desc, id desc)`);

    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check check (kind in (
      'auction_won', 'auction_sold', 'auction_unsold', 'auction_lost', 'auction_cancelled', 'outbid', 'ending_soon',
      'trade_cancelled', 'second_chance_offer', 'trade_expired', 'new_message',
      'offer_received', 'offer_accepted', 'offer_declined', 'offer_countered', 'offer_withdrawn', 'offer_expired',
      'review_prompt', 'keyword_match'))`);
  }

  override down(): void {
    this.addSql(`delete from notifications where kind in ('review_prompt', 'keyword_match')`);
    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check check (kind in (
      'auction_won', 'auction_sold', 'auction_unsold', 'auction_lost', 'auction_cancelled', 'outbid', 'ending_soon',
      'trade_cancelled', 'second_chance_offer', 'trade_expired', 'new_message',
      'offer_received', 'offer_accepted', 'offer_declined', 'offer_countered', 'offer_withdrawn', 'offer_expired'))`);
    this.addSql('drop table if exists keyword_alerts, reviews');
  }
}
