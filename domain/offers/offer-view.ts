import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor, encodeCursor, cursorTimestampSql } from '../shared/cursor.ts';
import { toPage, type Page } from '../shared/page.ts';

export const OFFER_KINDS = ['second_chance', 'price'] as const;
export const OFFER_STATUSES = ['pending', 'accepted', 'declined', 'expired', 'withdrawn'] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** An offer as its two parties see it. */
export interface OfferView {
  offerId: string;
  kind: OfferKind;
  listingId: string;
  auctionId: string | null;
  sellerId: string;
  buyerId: string;
  amount: number;
  /** What the seller answered a price offer with; the buyer may accept it. */
  counterAmount: number | null;
  status: OfferStatus;
  /** Whose answer an open offer waits for: the seller's, or the buyer's (a countered or second-chance offer). */
  awaiting: 'seller' | 'buyer' | null;
  expiresAt: string;
  createdAt: string;
  decidedAt: string | null;
  tradeId: string | null;
}

export interface OfferRow {
  id: string;
  kind: OfferKind;
  listing_id: string;
  auction_id: string | null;
  seller_id: string;
  buyer_id: string;
  amount: string;
  counter_amount: string | null;
  status: OfferStatus;
  expires_at: string | Date;
  created_at: string | Date;
  decided_at: string | Date | null;
  trade_id: string | null;
}

/** Whose answer an open offer waits for. A price offer waits for the seller until countered. */
export const awaitingParty = (row: Pick<OfferRow, 'kind' | 'status' | 'counter_amount'>): OfferView['awaiting'] =>
  row.status !== 'pending' ? null : row.kind === 'price' && row.counter_amount === null ? 'seller' : 'buyer';

export const toOfferView = (row: OfferRow): OfferView => ({
  offerId: row.id,
  kind: row.kind,
  listingId: row.listing_id,
  auctionId: row.auction_id,
  sellerId: row.seller_id,
  buyerId: row.buyer_id,
  amount: Number(row.amount),
  counterAmount: row.counter_amount === null ? null : Number(row.counter_amount),
  status: row.status,
  awaiting: awaitingParty(row),
  expiresAt: new Date(row.expires_at).toISOString(),
  createdAt: new Date(row.created_at).toISOString(),
  decidedAt: row.decided_at === null ? null : new Date(row.decided_at).toISOString(),
  tradeId: row.trade_id,
});

/** My offers as their buyer or their seller, newest first. */
export async function listMyOffers(em: EntityManager, userId: string, role: 'buyer' | 'seller', cursor: string | undefined, limit: number): Promise<Page<OfferView>> {
  const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
  const party = role === 'buyer' ? 'o.buyer_id' : 'o.seller_id';
  const rows = await em.execute<(OfferRow & { created_key: string })[]>(
    `select o.*, ${cursorTimestampSql('o.created_at')} as created_key from offers o
     where ${party} = ? ${after ? 'and (o.created_at, o.id) < (?::timestamptz, ?::uuid)' : ''}
     order by o.created_at desc, o.id desc limit ?`,
    [userId, ...(after ?? []), limit + 1],
  );
  return toPage(rows, limit, toOfferView, (row) => encodeCursor([row.created_key, row.id]));
}
