import type { EntityManager } from '@mikro-orm/postgresql';
import { blockedEitherWaySql } from '../blocks/blocks.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { toPage, type Page } from '../shared/page.ts';
import type { ListingStatus, SaleType } from './listing-status.ts';
import { LISTING_VIEW_COLUMNS, listingViewParams, toListingView, type ListingRow, type ListingView } from './listing-view.ts';

export const LISTING_SORTS = ['newest', 'price_asc', 'price_desc'] as const;
export type ListingSort = (typeof LISTING_SORTS)[number];

export interface ListingSearch {
  q?: string;
  categoryId?: number;
  status?: ListingStatus;
  saleType?: SaleType;
  sellerId?: string;
  minPrice?: number;
  maxPrice?: number;
  sort: ListingSort;
  cursor?: string;
  limit: number;
}

/**
 * Each sort is a keyset over a unique key, matching one of the listings indexes, so every page
 * is an index range scan however deep the client pages.
 */
const KEYSETS = {
  newest: { order: 'l.created_at desc, l.id desc', after: '(l.created_at, l.id) < (?::timestamptz, ?::uuid)', shape: ['timestamp', 'uuid'] },
  price_asc: { order: 'l.price asc, l.id asc', after: '(l.price, l.id) > (?::bigint, ?::uuid)', shape: ['integer', 'uuid'] },
  price_desc: { order: 'l.price desc, l.id desc', after: '(l.price, l.id) < (?::bigint, ?::uuid)', shape: ['integer', 'uuid'] },
} as const;

const cursorOf = (sort: ListingSort, row: ListingRow): string =>
  encodeCursor(sort === 'newest' ? [row.created_key, row.id] : [Number(row.price), row.id]);

// Every word of the query must match the start of a word, or of a suffix of a word, in the listing
// (see listing_search_vector in the first migration), which is how Korean words are found.
const MATCHES_QUERY = `l.search_vector @@ to_tsquery('simple', ?)`;

/**
 * Normalises the words of `q` exactly as the documents were (the `simple` parser) and returns them
 * as a prefix tsquery, e.g. `'아이폰':* & '케이스':*`; empty when `q` holds no word. Built in a
 * query of its own so the search receives it as a value: the planner then estimates how common the
 * words are and uses the GIN index for rare ones instead of walking the newest-first index.
 */
async function prefixQuery(em: EntityManager, q: string): Promise<string> {
  const [row] = await em.execute<{ tsquery: string }[]>(
    `select coalesce(string_agg(quote_literal(word) || ':*', ' & '), '') as tsquery
     from unnest(tsvector_to_array(to_tsvector('simple', ?))) as word`,
    [q],
  );
  return row?.tsquery ?? '';
}

export async function searchListings(em: EntityManager, search: ListingSearch, viewerId?: string): Promise<Page<ListingView>> {
  const where: string[] = [];
  const params: unknown[] = [...listingViewParams(viewerId)];
  const add = (condition: string, ...values: unknown[]) => {
    where.push(condition);
    params.push(...values);
  };
  if (search.q) {
    const tsquery = await prefixQuery(em, search.q);
    // Only punctuation or spaces: there is no word to match, so nothing matches.
    if (!tsquery) return { items: [], nextCursor: null };
    add(MATCHES_QUERY, tsquery);
  }
  if (search.categoryId !== undefined) add('l.category_id = ?', search.categoryId);
  if (search.status) add('l.status = ?', search.status);
  if (search.saleType) add('l.sale_type = ?', search.saleType);
  if (search.sellerId) add('l.seller_id = ?', search.sellerId);
  if (search.minPrice !== undefined) add('l.price >= ?', search.minPrice);
  if (search.maxPrice !== undefined) add('l.price <= ?', search.maxPrice);
  where.push('l.hidden_at is null');
  // A block hides each party's listings from the other.
  if (viewerId) add(`not ${blockedEitherWaySql('l.seller_id', '?::uuid')}`, viewerId, viewerId);
  const keyset = KEYSETS[search.sort];
  if (search.cursor) add(keyset.after, ...decodeCursor(search.cursor, keyset.shape));

  const rows = await em.execute<ListingRow[]>(
    `select ${LISTING_VIEW_COLUMNS}
     from listings l join users u on u.id = l.seller_id
     ${where.length ? `where ${where.join(' and ')}` : ''}
     order by ${keyset.order}
     limit ?`,
    [...params, search.limit + 1],
  );
  return toPage(rows, search.limit, toListingView, (row) => cursorOf(search.sort, row));
}
