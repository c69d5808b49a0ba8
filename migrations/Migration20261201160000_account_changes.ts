import { Migration } from '@mikro-orm/migrations';

/**
 * API processes keep each caller's role and suspension in memory instead of reading them on
 * every request; a change to either, or a deleted account, is announced on the
 * `gavel_account_changes` channel (NOTIFY, delivered at commit) so every process forgets its copy
 * at once, whoever made the change: a route, the admin CLI or an operator's own SQL.
 */
export class Migration20261201160000_account_changes extends Migration {
  override name = 'Migration20261201160000_account_changes';

  override up(): void {
    this.addSql(`
      create function notify_account_change() returns trigger language plpgsql as $$
      begin
        perform pg_notify('gavel_account_changes', old.id::text);
        return null;
      end $$`);
    this.addSql(`
      create trigger users_account_changed after update of role, suspended_at on users
      for each row when (old.role is distinct from new.role or old.suspended_at is distinct from new.suspended_at)
      execute function notify_account_change()`);
    this.addSql(`create trigger users_account_deleted after delete on users for each row execute function notify_account_change()`);
  }

  override down(): void {
    this.addSql('drop trigger users_account_deleted on users');
    this.addSql('drop trigger users_account_changed on users');
    this.addSql('drop function notify_account_change()');
  }
}
