import { Migration20261126000000_initial_schema } from './Migration20261126000000_initial_schema.ts';
import { Migration20261126010000_auctions } from './Migration20261126010000_auctions.ts';
import { Migration20261126020000_notifications } from './Migration20261126020000_notifications.ts';
import { Migration20261126030000_search_statistics } from './Migration20261126030000_search_statistics.ts';
import { Migration20261126040000_photos } from './Migration20261126040000_photos.ts';
import { Migration20261201000000_follow_ups } from './Migration20261201000000_follow_ups.ts';
import { Migration20261201010000_auction_lifecycle } from './Migration20261201010000_auction_lifecycle.ts';
import { Migration20261201020000_money_ceiling } from './Migration20261201020000_money_ceiling.ts';
import { Migration20261201030000_phone_verifications } from './Migration20261201030000_phone_verifications.ts';
import { Migration20261201040000_normalise_phones } from './Migration20261201040000_normalise_phones.ts';
import { Migration20261201050000_upload_receiving } from './Migration20261201050000_upload_receiving.ts';
import { Migration20261201060000_trade_expiry } from './Migration20261201060000_trade_expiry.ts';
import { Migration20261201100000_inbox } from './Migration20261201100000_inbox.ts';
import { Migration20261201110000_user_events } from './Migration20261201110000_user_events.ts';
import { Migration20261201120000_chat } from './Migration20261201120000_chat.ts';
import { Migration20261201130000_moderation } from './Migration20261201130000_moderation.ts';
import { Migration20261201140000_price_offers } from './Migration20261201140000_price_offers.ts';
import { Migration20261201150000_reviews_alerts } from './Migration20261201150000_reviews_alerts.ts';
import { Migration20261201160000_account_changes } from './Migration20261201160000_account_changes.ts';
import { Migration20261201170000_keyword_alert_matching } from './Migration20261201170000_keyword_alert_matching.ts';

/** Applied in this order; listed explicitly so that bundles and containers need no folder scan. */
export const migrations = [
  Migration20261126000000_initial_schema,
  Migration20261126010000_auctions,
  Migration20261126020000_notifications,
  Migration20261126030000_search_statistics,
  Migration20261126040000_photos,
  Migration20261201000000_follow_ups,
  Migration20261201010000_auction_lifecycle,
  Migration20261201020000_money_ceiling,
  Migration20261201030000_phone_verifications,
  Migration20261201040000_normalise_phones,
  Migration20261201050000_upload_receiving,
  Migration20261201060000_trade_expiry,
  Migration20261201100000_inbox,
  Migration20261201110000_user_events,
  Migration20261201120000_chat,
  Migration20261201130000_moderation,
  Migration20261201140000_price_offers,
  Migration20261201150000_reviews_alerts,
  Migration20261201160000_account_changes,
  Migration20261201170000_keyword_alert_matching,
];
