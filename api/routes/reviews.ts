import { findPublicProfile, type PublicProfile as ProfileView } from '../../domain/reviews/profile.ts';
import { editReview, listReviewsOf, writeReview, type ReviewView } from '../../domain/reviews/reviews.ts';
import type { AppDeps } from '../context.ts';
import { presentPage } from '../presenters/listings.ts';
import { defineRoute, type Route } from '../route.ts';
import { IdParams, page, PageQuery } from '../schemas/common.ts';
import { EditReviewBody, PublicProfile, Review, WriteReviewBody } from '../schemas/reviews.ts';

const presentReview = (r: ReviewView) => ({ ...r, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() });
const presentProfile = (p: ProfileView) => ({ ...p, joinedAt: p.joinedAt.toISOString() });

export function reviewRoutes(deps: AppDeps): Route[] {
  const tags = ['Reviews'];
  const editWindowS = deps.config.reviews.editWindowS;
  return [
    defineRoute(
      {
        method: 'post', path: '/v1/trades/:id/reviews', operationId: 'reviewTrade', tags, auth: 'required',
        summary: 'Review the other party of a completed trade',
        description: `Once per party per trade (409 \`review-exists\` after); the trade must be completed (409 \`trade-not-completed\`). The author may change it with \`PATCH /v1/reviews/:id\` for ${editWindowS} seconds.`,
        params: IdParams,
        body: WriteReviewBody,
        responses: { 201: { description: 'The review', schema: Review } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, body, caller }) => {
        const review = await writeReview(em, caller.userId, params.id, body);
        return { status: 201, headers: { Location: `/v1/reviews/${review.id}` }, body: presentReview(review) };
      },
    ),
    defineRoute(
      {
        method: 'patch', path: '/v1/reviews/:id', operationId: 'editReview', tags, auth: 'required',
        summary: 'Change my review',
        description: `Its author only (403 for anyone else), within REVIEW_EDIT_WINDOW_S (${editWindowS} s) of writing it by the database clock (409 \`review-edit-window-closed\` after).`,
        params: IdParams,
        body: EditReviewBody,
        responses: { 200: { description: 'The review as changed', schema: Review } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, body, caller }) => ({ status: 200, body: presentReview(await editReview(em, deps.config.reviews, caller.userId, params.id, body)) }),
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/users/:id', operationId: 'getUserProfile', tags, auth: 'none',
        summary: "A user's public profile",
        description: 'Nickname, when they joined, manner score, review and listing counts. Never the phone number.',
        params: IdParams,
        responses: { 200: { description: 'The profile', schema: PublicProfile } },
        problems: [400, 404],
        reads: 'replica',
      },
      async ({ em, params }) => ({ status: 200, body: presentProfile(await findPublicProfile(em, params.id)) }),
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/users/:id/reviews', operationId: 'listUserReviews', tags, auth: 'none',
        description: 'Reviews left on the user by the other party of their completed trades, as a collection `{items, nextCursor}`.',
        summary: 'The reviews a user received, newest first',
        params: IdParams,
        query: PageQuery,
        responses: { 200: { description: 'One page of reviews', schema: page(Review) } },
        problems: [400, 404],
        reads: 'replica',
      },
      async ({ em, params, query }) => ({ status: 200, body: presentPage(await listReviewsOf(em, params.id, query.cursor, query.limit), presentReview) }),
    ),
  ];
}
