import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, cursorTimestampSql } from '../shared/cursor.ts';
import { toPage, type Page } from '../shared/page.ts';
import type { TradeStatus } from './trade.entity.ts';

export interface TradeView {
  id: string;
  listingId: string;
  auctionId: string | null;
  /** The title the trade was made with, not the listing's current one. */
  listingTitle: string;
  sellerId: string;
  buyerId: string;
  price: number;
  kind: 'purchase' | 'auction';
  status: TradeStatus;
  createdAt: Date;
  completedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  /** When a pending purchase ends by itself; null for auction trades. */
  expiresAt: Date | null;
}

interface TradeRow {
  id: string;
  listing_id: string;
  auction_id: string | null;
  listing_title: string;
  seller_id: string;
  buyer_id: string;
  price: string | number;
  kind: 'purchase' | 'auction';
  status: TradeStatus;
  created_at: Date | string;
  completed_at: Date | string | null;
  cancelled_at: Date | string | null;
  cancel_reason: string | null;
  expires_at: Date | string | null;
  created_key: string;
}

const COLUMNS = `t.id, t.listing_id, t.auction_id, t.title as listing_title, t.seller_id, t.buyer_id, t.price, t.kind, t.status,
  t.created_at, t.completed_at, t.cancelled_at, t.cancel_reason, t.expires_at, ${cursorTimestampSql('t.created_at')} as created_key`;

const toTradeView = (row: TradeRow): TradeView => ({
  id: row.id,
  listingId: row.listing_id,
  auctionId: row.auction_id,
  listingTitle: row.listing_title,
  sellerId: row.seller_id,
  buyerId: row.buyer_id,
  price: Number(row.price),
  kind: row.kind,
  status: row.status,
  createdAt: new Date(row.created_at),
  completedAt: row.completed_at === null ? null : new Date(row.completed_at),
  cancelledAt: row.cancelled_at === null ? null : new Date(row.cancelled_at),
  cancelReason: row.cancel_reason,
  expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
});

/** A trade is private to its two parties. */
export async function findTradeView(em: EntityManager, userId: string, tradeId: string): Promise<TradeView> {
  const [row] = await em.execute<TradeRow[]>(`select ${COLUMNS} from trades t where t.id = ?`, [tradeId]);
  if (!row) throw notFound('trade');
  if (row.buyer_id !== userId && row.seller_id !== userId) throw forbidden('not-trade-party', 'Only the buyer and the seller can see a trade.');
  return toTradeView(row);
}

export async function listMyTrades(
  em: EntityManager,
  userId: string,
  role: 'buyer' | 'seller',
  cursor: string | undefined,
  limit: number,
): Promise<Page<TradeView>> {
  const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
  const party = role === 'buyer' ? 't.buyer_id' : 't.seller_id';
  const rows = await em.execute<TradeRow[]>(
    `select ${COLUMNS} from trades t
     where ${party} = ? ${after ? 'and (t.created_at, t.id) < (?::timestamptz, ?::uuid)' : ''}
     order by t.created_at desc, t.id desc limit ?`,
    [userId, ...(after ?? []), limit + 1],
  );
  return toPage(rows, limit, toTradeView, (row) => encodeCursor([row.created_key, row.id]));
}
