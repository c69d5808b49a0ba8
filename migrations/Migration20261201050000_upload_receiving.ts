import { Migration } from '@mikro-orm/migrations';

/**
 * While a PUT sends an upload's bytes (local storage), the upload is held until `receiving_until`:
 * a second PUT meanwhile is refused, and a user's uploads held at once are counted. The time is as
 * long as a body keeping the minimum pace could take, so a process that dies mid-upload frees it.
 */
export class Migration20261201050000_upload_receiving extends Migration {
  override name = 'Migration20261201050000_upload_receiving';

  override up(): void {
    this.addSql(`alter table uploads add column receiving_until timestamptz`);
    this.addSql(`create index uploads_receiving_idx on uploads (user_id) where receiving_until is not null`);
  }

  override down(): void {
    this.addSql('alter table uploads drop column if exists receiving_until');
  }
}
