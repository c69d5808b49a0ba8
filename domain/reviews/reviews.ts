import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound } from '../errors.ts';
import { cursorTimestampSql, decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { newId } from '../shared/ids.ts';
import { toPage, type Page } from '../shared/page.ts';
import type { Rating } from './manner-score.ts';
import { normaliseReviewText } from './review-text.ts';

export interface ReviewView {
  id: string;
  tradeId: string;
  listingTitle: string;
  reviewerId: string;
  reviewerNickname: string;
  revieweeId: string;
  /** The reviewer's side of the trade. */
  reviewerRole: 'buyer' | 'seller';
  rating: Rating;
  text: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface ReviewRow {
  id: string;
  trade_id: string;
  listing_title: string;
  reviewer_id: string;
  reviewer_nickname: string;
  reviewee_id: string;
  reviewer_role: 'buyer' | 'seller';
  rating: Rating;
  text: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  created_key: string;
}

const toView = (row: ReviewRow): ReviewView => ({
  id: row.id,
  tradeId: row.trade_id,
  listingTitle: row.listing_title,
  reviewerId: row.reviewer_id,
  reviewerNickname: row.reviewer_nickname,
  revieweeId: row.reviewee_id,
  reviewerRole: row.reviewer_role,
  rating: row.rating,
  text: row.text,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

const REVIEW_SELECT = `select r.id, r.trade_id, t.title as listing_title, r.reviewer_id, u.nickname as reviewer_nickname, r.reviewee_id,
    r.reviewer_role, r.rating, r.text, r.created_at, r.updated_at, ${cursorTimestampSql('r.created_at')} as created_key
  from reviews r join trades t on t.id = r.trade_id join users u on u.id = r.reviewer_id`;

async function findReview(em: EntityManager, reviewId: string): Promise<ReviewView | null> {
  const [row] = await em.execute<ReviewRow[]>(`${REVIEW_SELECT} where r.id = ?`, [reviewId]);
  return row ? toView(row) : null;
}

/**
 * A party of a completed trade reviews the other party, once. The trade's row lock orders two
 * reviews by the same party; the unique (trade, reviewer) key is the last word.
 */
export async function writeReview(em: EntityManager, userId: string, tradeId: string, input: { rating: Rating; text?: string | null }): Promise<ReviewView> {
  const text = normaliseReviewText(input.text);
  const id = await em.transactional(async (tx) => {
    const [trade] = await tx.execute<{ seller_id: string; buyer_id: string; status: string }[]>(
      'select seller_id, buyer_id, status from trades where id = ? for update',
      [tradeId],
    );
    if (!trade) throw notFound('trade');
    if (trade.buyer_id !== userId && trade.seller_id !== userId) throw forbidden('not-trade-party', 'Only the buyer and the seller can review a trade.');
    if (trade.status !== 'completed') throw conflict('trade-not-completed', `A trade is reviewed once it is completed; this one is ${trade.status}.`);
    const role = trade.buyer_id === userId ? 'buyer' : 'seller';
    const revieweeId = role === 'buyer' ? trade.seller_id : trade.buyer_id;
    const rows = await tx.execute<{ id: string }[]>(
      `insert into reviews (id, trade_id, reviewer_id, reviewee_id, reviewer_role, rating, text) values (?, ?, ?, ?, ?, ?, ?)
       on conflict (trade_id, reviewer_id) do nothing returning id`,
      [newId(), tradeId, userId, revieweeId, role, input.rating, text],
    );
    if (!rows.length) throw conflict('review-exists', 'You have already reviewed this trade; change your review instead.');
    return rows[0]!.id;
  });
  return (await findReview(em, id))!;
}

/**
 * The author changes their review within `editWindowS` of writing it (by the database clock).
 * Fields left out keep their value; `text: null` removes the text.
 */
export async function editReview(
  em: EntityManager,
  settings: { editWindowS: number },
  userId: string,
  reviewId: string,
  changes: { rating?: Rating; text?: string | null },
): Promise<ReviewView> {
  const text = changes.text === undefined ? undefined : normaliseReviewText(changes.text);
  const updated = await em.execute<{ id: string }[]>(
    `update reviews set rating = coalesce(?, rating), text = case when ? then ? else text end, updated_at = clock_timestamp()
     where id = ? and reviewer_id = ? and clock_timestamp() < created_at + make_interval(secs => ?) returning id`,
    [changes.rating ?? null, text !== undefined, text ?? null, reviewId, userId, settings.editWindowS],
  );
  if (!updated.length) {
    const [row] = await em.execute<{ reviewer_id: string }[]>('select reviewer_id from reviews where id = ?', [reviewId]);
    if (!row) throw notFound('review');
    if (row.reviewer_id !== userId) throw forbidden('not-review-author', 'Only its author can change a review.');
    throw conflict('review-edit-window-closed', `A review can be changed for ${settings.editWindowS} seconds after it was written.`);
  }
  return (await findReview(em, reviewId))!;
}

/** The reviews a user received, newest first (public). */
export async function listReviewsOf(em: EntityManager, userId: string, cursor: string | undefined, limit: number): Promise<Page<ReviewView>> {
  const [exists] = await em.execute<{ id: string }[]>('select id from users where id = ?', [userId]);
  if (!exists) throw notFound('user');
  const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
  const rows = await em.execute<ReviewRow[]>(
    `${REVIEW_SELECT} where r.reviewee_id = ? ${after ? 'and (r.created_at, r.id) < (?::timestamptz, ?::uuid)' : ''}
     order by r.created_at desc, r.id desc limit ?`,
    [userId, ...(after ?? []), limit + 1],
  );
  return toPage(rows, limit, toView, (row) => encodeCursor([row.created_key, row.id]));
}
