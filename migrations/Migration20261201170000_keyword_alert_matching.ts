import { Migration } from '@mikro-orm/migrations';

/**
 * Keyword alert matching leaves out suspended owners without looking at `users` for each alert it
 * finds (thousands for a listing of everyday words): an alert carries its owner's suspension, and
 * the lookup index holds only alerts of owners not suspended. The database keeps the copy, whoever
 * suspends or restores an account (a route, the admin CLI, an operator's own SQL) and however an
 * alert is added. Reading the suspended accounts as a set per listing instead costs as many rows as
 * there are suspended accounts, on every listing, and stops being hashed (a scan per alert) once
 * they outgrow work_mem.
 */
export class Migration20261201170000_keyword_alert_matching extends Migration {
  override name = 'Migration20261201170000_keyword_alert_matching';

  override up(): void {
    this.addSql(`alter table keyword_alerts add column owner_suspended boolean not null default false`);
    this.addSql(`update keyword_alerts a set owner_suspended = true from users u where u.id = a.user_id and u.suspended_at is not null`);
    this.addSql(`
      create function keyword_alerts_follow_owner_suspension() returns trigger language plpgsql as $$
      begin
        update keyword_alerts set owner_suspended = new.suspended_at is not null where user_id = new.id;
        return null;
      end $$`);
    this.addSql(`
      create trigger users_suspension_to_keyword_alerts after update of suspended_at on users
      for each row when (old.suspended_at is distinct from new.suspended_at)
      execute function keyword_alerts_follow_owner_suspension()`);
    this.addSql(`
      create function keyword_alerts_take_owner_suspension() returns trigger language plpgsql as $$
      begin
        new.owner_suspended := exists (select 1 from users where id = new.user_id and suspended_at is not null);
        return new;
      end $$`);
    this.addSql(`
      create trigger keyword_alerts_owner_suspension before insert or update of user_id on keyword_alerts
      for each row execute function keyword_alerts_take_owner_suspension()`);
    this.addSql(`drop index keyword_alerts_lookup_idx`);
    this.addSql(`create index keyword_alerts_lookup_idx on keyword_alerts (lookup_word) include (user_id, created_at, id, words, keyword) where not owner_suspended`);
  }

  override down(): void {
    this.addSql(`drop index keyword_alerts_lookup_idx`);
    this.addSql(`create index keyword_alerts_lookup_idx on keyword_alerts (lookup_word) include (user_id, created_at, id, words, keyword)`);
    this.addSql('drop trigger keyword_alerts_owner_suspension on keyword_alerts');
    this.addSql('drop function keyword_alerts_take_owner_suspension()');
    this.addSql('drop trigger users_suspension_to_keyword_alerts on users');
    this.addSql('drop function keyword_alerts_follow_owner_suspension()');
    this.addSql('alter table keyword_alerts drop column owner_suspended');
  }
}
