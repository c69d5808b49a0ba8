import { Migration } from '@mikro-orm/migrations';

/**
 * A pending fixed-price trade (a reserved listing) now expires: `expires_at`, set at purchase from
 * TRADE_PENDING_TTL_S, with a partial index for the sweep's backstop and one for counting a buyer's
 * open purchases. Purchases pending before this release get three days from now (the default), so
 * none is stranded and none expires the moment the release starts. Their parties are told with a
 * `trade_expired` notice.
 */
export class Migration20261201060000_trade_expiry extends Migration {
  override name = 'Migration20261201060000_trade_expiry';

  override up(): void {
    this.addSql(`alter table trades add column expires_at timestamptz`);
    this.addSql(`update trades set expires_at = now() + interval '3 days' where kind = 'purchase' and status = 'pending'`);
    this.addSql(`create index trades_pending_expiry_idx on trades (expires_at) where status = 'pending' and expires_at is not null`);
    this.addSql(`create index trades_open_purchases_idx on trades (buyer_id) where status = 'pending' and kind = 'purchase'`);
    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check check (kind in (
      'auction_won', 'auction_sold', 'auction_unsold', 'auction_lost', 'auction_cancelled', 'outbid', 'ending_soon',
      'trade_cancelled', 'second_chance_offer', 'trade_expired'))`);
  }

  override down(): void {
    this.addSql(`delete from notifications where kind = 'trade_expired'`);
    this.addSql(`alter table notifications drop constraint notifications_kind_check`);
    this.addSql(`alter table notifications add constraint notifications_kind_check check (kind in (
      'auction_won', 'auction_sold', 'auction_unsold', 'auction_lost', 'auction_cancelled', 'outbid', 'ending_soon',
      'trade_cancelled', 'second_chance_offer'))`);
    this.addSql('alter table trades drop column if exists expires_at');
  }
}
