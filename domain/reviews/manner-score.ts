export const RATINGS = ['good', 'neutral', 'bad'] as const;
export type Rating = (typeof RATINGS)[number];

/** What the score needs of a review a user received. */
export interface ReceivedReview {
  reviewerId: string;
  rating: Rating;
  createdAt: Date;
}

/**
 * The manner score (매너온도 in spirit): every user starts at 36.5 and it moves within 0..100.
 *
 *   1. One vote per reviewer: only their latest review of this user counts, however many trades
 *      the two have had, so a friend trading back and forth cannot pump it.
 *   2. Each vote is +1 (good), 0 (neutral) or -1 (bad), weighted by its age:
 *      w = 0.5 ^ (age / HALF_LIFE_DAYS), so a review loses half its weight every 180 days.
 *   3. x = Σ w·v / (PRIOR_WEIGHT + Σ w), in (-1, 1): the prior is PRIOR_WEIGHT neutral votes of
 *      full weight, so a first review moves the score a little, many agreeing reviews a lot.
 *   4. score = 36.5 + 63.5·x when x ≥ 0, 36.5 + 36.5·x when x < 0, rounded to one decimal.
 */
export const NEUTRAL_SCORE = 36.5;
export const HALF_LIFE_DAYS = 180;
export const PRIOR_WEIGHT = 3;
const VOTE: Record<Rating, number> = { good: 1, neutral: 0, bad: -1 };
const DAY_MS = 86_400_000;

export function mannerScore(reviews: readonly ReceivedReview[], now: Date): number {
  const latest = new Map<string, ReceivedReview>();
  for (const review of reviews) {
    const seen = latest.get(review.reviewerId);
    if (!seen || review.createdAt > seen.createdAt || (+review.createdAt === +seen.createdAt && VOTE[review.rating] < VOTE[seen.rating])) {
      // Two reviews at the same instant: the lower one counts, so the input order never matters.
      latest.set(review.reviewerId, review);
    }
  }
  let weighted = 0;
  let weights = 0;
  for (const review of latest.values()) {
    const ageDays = Math.max(0, now.getTime() - review.createdAt.getTime()) / DAY_MS;
    const weight = 0.5 ** (ageDays / HALF_LIFE_DAYS);
    weighted += weight * VOTE[review.rating];
    weights += weight;
  }
  const x = weighted / (PRIOR_WEIGHT + weights);
  const score = x >= 0 ? NEUTRAL_SCORE + (100 - NEUTRAL_SCORE) * x : NEUTRAL_SCORE + NEUTRAL_SCORE * x;
  return Math.round(score * 10) / 10;
}
