import { Migration } from '@mikro-orm/migrations';

/**
 * The whole marketplace schema. Written by hand rather than generated because it relies on what
 * the ORM's schema diff cannot express: a generated full-text column built by an SQL function,
 * CHECK constraints and partial indexes.
 */
export class Migration20261126000000_initial_schema extends Migration {
  override name = 'Migration20261126000000_initial_schema';

  override up(): void {
    this.addSql(`
      create table users (
        id uuid primary key,
        phone text not null unique,
        password_hash text not null,
        nickname text not null check (char_length(nickname) between 1 and 40),
        role text not null default 'user' check (role in ('user', 'admin')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);

    this.addSql(`
      create table refresh_tokens (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        family_id uuid not null,
        token_hash text not null unique,
        expires_at timestamptz not null,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`create index refresh_tokens_family_idx on refresh_tokens (family_id)`);
    this.addSql(`create index refresh_tokens_user_idx on refresh_tokens (user_id)`);

    this.addSql(`
      create table categories (
        id integer primary key,
        slug text not null unique,
        name text not null,
        position integer not null
      )`);
    this.addSql(`
      insert into categories (id, slug, name, position) values
        (1, 'digital', '디지털기기', 1),
        (2, 'appliances', '생활가전', 2),
        (3, 'furniture', '가구/인테리어', 3),
        (4, 'kids', '유아동', 4),
        (5, 'womens-clothing', '여성의류', 5),
        (6, 'mens-fashion', '남성패션/잡화', 6),
        (7, 'beauty', '뷰티/미용', 7),
        (8, 'sports', '스포츠/레저', 8),
        (9, 'hobby', '취미/게임/음반', 9),
        (10, 'books', '도서', 10),
        (11, 'tickets', '티켓/교환권', 11),
        (12, 'food', '가공식품', 12),
        (13, 'pets', '반려동물용품', 13),
        (14, 'plants', '식물', 14),
        (15, 'other', '기타 중고물품', 15)`);

    // Korean attaches particles to nouns (아이폰을, 아이폰이) and writes compounds without spaces
    // (명품가방), and PostgreSQL has no Korean dictionary. The 'simple' parser splits on spaces;
    // adding every suffix of each word lets a prefix query ('가방':*) find a word anywhere
    // inside a token, which the GIN index below answers quickly at a million rows.
    this.addSql(`
      create function listing_search_vector(title text, description text) returns tsvector
      language sql immutable strict parallel safe as $$
        select setweight(to_tsvector('simple', title), 'A')
          || setweight(to_tsvector('simple', description), 'B')
          || coalesce((
               select array_to_tsvector(array_agg(distinct substr(word, i)))
               from unnest(tsvector_to_array(to_tsvector('simple', title || ' ' || description))) as word,
                    generate_series(2, least(char_length(word), 32) - 1) as i
             ), ''::tsvector)
      $$`);

    this.addSql(`
      create table listings (
        id uuid primary key,
        seller_id uuid not null references users (id) on delete cascade,
        category_id integer not null references categories (id),
        title text not null check (char_length(title) between 1 and 100),
        description text not null check (char_length(description) <= 5000),
        image_urls text[] not null default '{}',
        sale_type text not null check (sale_type in ('fixed', 'auction')),
        price bigint not null check (price >= 0),
        status text not null default 'on_sale' check (status in ('on_sale', 'reserved', 'sold')),
        like_count integer not null default 0 check (like_count >= 0),
        search_vector tsvector generated always as (listing_search_vector(title, description)) stored,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    // Each index serves one keyset order of GET /v1/listings, optionally narrowed by a filter.
    this.addSql(`create index listings_newest_idx on listings (created_at desc, id desc)`);
    this.addSql(`create index listings_status_newest_idx on listings (status, created_at desc, id desc)`);
    this.addSql(`create index listings_category_newest_idx on listings (category_id, created_at desc, id desc)`);
    this.addSql(`create index listings_price_idx on listings (price, id)`);
    this.addSql(`create index listings_category_price_idx on listings (category_id, price, id)`);
    this.addSql(`create index listings_seller_idx on listings (seller_id, created_at desc, id desc)`);
    this.addSql(`create index listings_search_idx on listings using gin (search_vector)`);

    this.addSql(`
      create table listing_likes (
        user_id uuid not null references users (id) on delete cascade,
        listing_id uuid not null references listings (id) on delete cascade,
        created_at timestamptz not null default now(),
        primary key (user_id, listing_id)
      )`);
    this.addSql(`create index listing_likes_user_newest_idx on listing_likes (user_id, created_at desc, listing_id desc)`);
    this.addSql(`create index listing_likes_listing_idx on listing_likes (listing_id)`);

    this.addSql(`
      create table trades (
        id uuid primary key,
        listing_id uuid not null references listings (id),
        seller_id uuid not null references users (id),
        buyer_id uuid not null references users (id),
        price bigint not null check (price >= 0),
        kind text not null check (kind in ('purchase', 'auction')),
        status text not null default 'pending' check (status in ('pending', 'completed', 'cancelled')),
        created_at timestamptz not null default now(),
        completed_at timestamptz,
        check (buyer_id <> seller_id)
      )`);
    // The last line of defence for "a listing is sold once": at most one live trade per listing.
    this.addSql(`create unique index trades_one_live_per_listing on trades (listing_id) where status <> 'cancelled'`);
    this.addSql(`create index trades_buyer_idx on trades (buyer_id, created_at desc, id desc)`);
    this.addSql(`create index trades_seller_idx on trades (seller_id, created_at desc, id desc)`);
  }

  override down(): void {
    this.addSql('drop table if exists trades, listing_likes, listings, categories, refresh_tokens, users');
    this.addSql('drop function if exists listing_search_vector(text, text)');
  }
}
