import { Migration } from '@mikro-orm/migrations';

/**
 * Price offers (가격 제안) on fixed-price listings, in the table of second-chance offers. An open
 * offer stays `pending` whoever must answer: `counter_amount` null means the seller, set means the
 * seller countered and the buyer may accept that amount. So an open offer, countered or not, is
 * `pending` for the expiry job, the sweep and the schedule keeper. `declined` is new: the seller
 * said no, or accepted another offer on the listing. One open price offer per buyer per listing.
 */
const KINDS_BEFORE = `'auction_won', 'auction_sold', 'auction_unsold', 'auction_lost', 'auction_cancelled', 'outbid', 'ending_soon',
      'trade_cancelled', 'second_chance_offer', 'trade_expired', 'new_message'`;
const OFFER_KINDS = `'offer_received', 'offer_accepted', 'offer_declined', 'offer_countered', 'offer_withdrawn', 'offer_expired'`;

export class Migration20261201140000_price_offers extends Migration {
  override name = 'Migration20261201140000_price_offers';

  override up(): void {
    this.addSql(`alter table offers drop constraint offers_kind_check`);
    this.addSql(`alter table offers add constraint offers_kind_check check (kind in ('second_chance', 'price'))`);
    this.addSql(`alter table offers drop constraint offers_status_check`);
    this.addSql(`alter table offers add constraint offers_status_check check (status in ('pending', 'accepted', 'declined', 'expired', 'withdrawn'))`);
    this.addSql(`alter table offers add column counter_amount bigint check (counter_amount > 0), add column countered_at timestamptz`);
    this.addSql(`alter table offers add constraint offers_counter_amount_ceiling check (counter_amount <= 999999900000)`);
    this.addSql(`create unique index offers_one_open_price_offer on offers (listing_id, buyer_id) where kind = 'price' and status = 'pending'`);
    this.addSql(`create index offers_seller_idx on offers (seller_id, created_at desc, id desc)`);
    this.addSql(`create index offers_listing_pending_idx on offers (listing_id) where status = 'pending'`);

    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check check (kind in (
      ${KINDS_BEFORE},
      ${OFFER_KINDS}))`);
  }

  override down(): void {
    this.addSql(`delete from notifications where kind in (${OFFER_KINDS})`);
    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check check (kind in (
      ${KINDS_BEFORE}))`);
    this.addSql(`delete from offers where kind = 'price'`);
    this.addSql(`drop index offers_listing_pending_idx`);
    this.addSql(`drop index offers_seller_idx`);
    this.addSql(`drop index offers_one_open_price_offer`);
    this.addSql(`alter table offers drop column counter_amount, drop column countered_at`);
    this.addSql(`alter table offers drop constraint offers_status_check`);
    this.addSql(`alter table offers add constraint offers_status_check check (status in ('pending', 'accepted', 'expired', 'withdrawn'))`);
    this.addSql(`alter table offers drop constraint offers_kind_check`);
    this.addSql(`alter table offers add constraint offers_kind_check check (kind in ('second_chance'))`);
  }
}
