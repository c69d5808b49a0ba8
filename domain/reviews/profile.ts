import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import { mannerScore, type Rating } from './manner-score.ts';

/** What anyone may see of a user: never the phone, the role or the suspension. */
export interface PublicProfile {
  id: string;
  nickname: string;
  joinedAt: Date;
  mannerScore: number;
  reviewCount: number;
  ratingCounts: Record<Rating, number>;
  /** Listings visible to everyone (hidden ones are not counted), by status. */
  listingCounts: { onSale: number; reserved: number; sold: number };
}

export async function findPublicProfile(em: EntityManager, userId: string): Promise<PublicProfile> {
  const [user] = await em.execute<{ id: string; nickname: string; created_at: Date | string; now: Date | string }[]>(
    'select id, nickname, created_at, clock_timestamp() as now from users where id = ?',
    [userId],
  );
  if (!user) throw notFound('user');
  // One row per reviewer (their latest review) is all the score reads; see mannerScore.
  const votes = await em.execute<{ reviewer_id: string; rating: Rating; created_at: Date | string }[]>(
    `select distinct on (reviewer_id) reviewer_id, rating, created_at from reviews where reviewee_id = ?
     order by reviewer_id, created_at desc, (case rating when 'bad' then 0 when 'neutral' then 1 else 2 end)`,
    [userId],
  );
  const [ratings] = await em.execute<{ good: number; neutral: number; bad: number }[]>(
    `select count(*) filter (where rating = 'good')::int as good, count(*) filter (where rating = 'neutral')::int as neutral,
            count(*) filter (where rating = 'bad')::int as bad
     from reviews where reviewee_id = ?`,
    [userId],
  );
  const [listings] = await em.execute<{ on_sale: number; reserved: number; sold: number }[]>(
    `select count(*) filter (where status = 'on_sale')::int as on_sale, count(*) filter (where status = 'reserved')::int as reserved,
            count(*) filter (where status = 'sold')::int as sold
     from listings where seller_id = ? and hidden_at is null`,
    [userId],
  );
  const ratingCounts = { good: ratings!.good, neutral: ratings!.neutral, bad: ratings!.bad };
  return {
    id: user.id,
    nickname: user.nickname,
    joinedAt: new Date(user.created_at),
    mannerScore: mannerScore(
      votes.map((v) => ({ reviewerId: v.reviewer_id, rating: v.rating, createdAt: new Date(v.created_at) })),
      new Date(user.now),
    ),
    reviewCount: ratingCounts.good + ratingCounts.neutral + ratingCounts.bad,
    ratingCounts,
    listingCounts: { onSale: listings!.on_sale, reserved: listings!.reserved, sold: listings!.sold },
  };
}
