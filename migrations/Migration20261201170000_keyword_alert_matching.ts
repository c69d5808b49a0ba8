import { Migration } from '@mikro-orm/migrations';

/**
 * Keyword alert matching reads the suspended accounts once per new listing, as one set to leave
 * out, instead of joining `users` for every alert found (thousands for a listing of everyday
 * words). A partial index holds just those accounts, so reading them never scans every user.
 */
export class Migration20261201170000_keyword_alert_matching extends Migration {
  override name = 'Migration20261201170000_keyword_alert_matching';

  override up(): void {
    this.addSql('create index users_suspended_idx on users (id) where suspended_at is not null');
  }

  override down(): void {
    this.addSql('drop index if exists users_suspended_idx');
  }
}
