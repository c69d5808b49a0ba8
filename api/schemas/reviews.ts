import { z } from 'zod';
import { RATINGS } from '../../domain/reviews/manner-score.ts';
import { REVIEW_TEXT_MAX_CHARS } from '../../domain/reviews/review-text.ts';
import { Id, Timestamp } from './common.ts';

const ReviewText = z.string().max(REVIEW_TEXT_MAX_CHARS * 2).meta({ description: `Up to ${REVIEW_TEXT_MAX_CHARS} characters of plain text.` });

export const Review = z
  .object({
    id: Id,
    tradeId: Id,
    listingTitle: z.string().meta({ description: 'The title the trade was made with.' }),
    reviewerId: Id,
    reviewerNickname: z.string(),
    revieweeId: Id,
    reviewerRole: z.enum(['buyer', 'seller']).meta({ description: "The reviewer's side of the trade." }),
    rating: z.enum(RATINGS),
    text: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Review' });

export const WriteReviewBody = z
  .strictObject({ rating: z.enum(RATINGS), text: ReviewText.optional() })
  .meta({ id: 'WriteReview' });

export const EditReviewBody = z
  .strictObject({ rating: z.enum(RATINGS).optional(), text: ReviewText.nullable().optional().meta({ description: 'null removes the text.' }) })
  .refine((body) => body.rating !== undefined || body.text !== undefined, { message: 'send `rating`, `text` or both' })
  .meta({ id: 'EditReview' });

export const PublicProfile = z
  .object({
    id: Id,
    nickname: z.string(),
    joinedAt: Timestamp,
    mannerScore: z.number().min(0).max(100).meta({ description: 'From 0 to 100; everyone starts at 36.5 (see README, "Choices").' }),
    reviewCount: z.number().int().min(0),
    ratingCounts: z.object({ good: z.number().int().min(0), neutral: z.number().int().min(0), bad: z.number().int().min(0) }),
    listingCounts: z
      .object({ onSale: z.number().int().min(0), reserved: z.number().int().min(0), sold: z.number().int().min(0) })
      .meta({ description: 'Listings anyone can see, by status.' }),
  })
  .meta({ id: 'PublicProfile' });
