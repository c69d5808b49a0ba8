import { Migration } from '@mikro-orm/migrations';

/**
 * Photo uploads and listing photos. An upload is a promise of bytes (the client sends them straight
 * to object storage); a listing photo is an upload attached to a listing, processed by a worker
 * into a display size and a thumbnail. The photo's id is its upload's id, so one upload can be
 * attached once.
 */
export class Migration20261126040000_photos extends Migration {
  override name = 'Migration20261126040000_photos';

  override up(): void {
    this.addSql(`
      create table uploads (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        content_type text not null,
        declared_size bigint not null check (declared_size > 0),
        object_key text not null unique,
        status text not null default 'pending' check (status in ('pending', 'uploaded', 'attached')),
        received_size bigint,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null
      )`);
    this.addSql(`create index uploads_user_idx on uploads (user_id, created_at desc)`);

    this.addSql(`
      create table listing_photos (
        id uuid primary key references uploads (id) on delete cascade,
        listing_id uuid not null references listings (id) on delete cascade,
        position smallint not null check (position between 0 and 9),
        status text not null default 'processing' check (status in ('processing', 'ready', 'failed')),
        display_key text,
        thumbnail_key text,
        width integer,
        height integer,
        failure text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        -- deferred, so a PATCH can reorder photos in one statement without colliding midway
        unique (listing_id, position) deferrable initially deferred
      )`);
  }

  override down(): void {
    this.addSql('drop table if exists listing_photos, uploads');
  }
}
