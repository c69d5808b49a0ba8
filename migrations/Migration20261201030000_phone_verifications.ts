import { Migration } from '@mikro-orm/migrations';

/**
 * Phone ownership proved by an SMS code before an account exists. Only an HMAC of the code is
 * stored (keyed by a server secret, so a leaked table cannot be brute-forced offline over the 10^6
 * codes), and only a SHA-256 of the verification token it is traded for. `attempts` counts every
 * confirm, right or wrong, and is raised before the code is compared, so parallel guesses cannot
 * exceed the limit.
 */
export class Migration20261201030000_phone_verifications extends Migration {
  override name = 'Migration20261201030000_phone_verifications';

  override up(): void {
    this.addSql(`
      create table phone_verifications (
        id uuid primary key,
        phone text not null,
        code_hash text not null,
        expires_at timestamptz not null,
        attempts integer not null default 0 check (attempts >= 0),
        confirmed_at timestamptz,
        token_hash text unique,
        token_expires_at timestamptz,
        used_at timestamptz,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`create index phone_verifications_expiry_idx on phone_verifications (expires_at)`);
  }

  override down(): void {
    this.addSql('drop table if exists phone_verifications');
  }
}
