import { Migration } from '@mikro-orm/migrations';

/**
 * Reports to the admins, suspended accounts and hidden listings. A report names its target by
 * type and id (a listing, a user, a message) and is kept even if the target goes; one per reporter
 * and target.
 */
export class Migration20261201130000_moderation extends Migration {
  override name = 'Migration20261201130000_moderation';

  override up(): void {
    this.addSql(`alter table users add column suspended_at timestamptz`);
    this.addSql(`alter table listings add column hidden_at timestamptz`);
    this.addSql(`
      create table reports (
        id uuid primary key,
        reporter_id uuid not null references users (id) on delete cascade,
        target_type text not null check (target_type in ('listing', 'user', 'message')),
        target_id uuid not null,
        reason text not null check (char_length(reason) between 1 and 1000),
        created_at timestamptz not null default now(),
        unique (reporter_id, target_type, target_id)
      )`);
    this.addSql(`create index reports_created_idx on reports (created_at desc, id desc)`);
  }

  override down(): void {
    this.addSql('drop table if exists reports');
    this.addSql('alter table listings drop column hidden_at');
    this.addSql('alter table users drop column suspended_at');
  }
}
