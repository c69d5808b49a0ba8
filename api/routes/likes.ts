import { likeListing, listLikedListings, unlikeListing } from '../../domain/listings/likes.ts';
import type { AppDeps } from '../context.ts';
import { listingPresenter, presentPage } from '../presenters/listings.ts';
import { defineRoute, type Route } from '../route.ts';
import { IdParams, PageQuery, page } from '../schemas/common.ts';
import { LikeState, Listing } from '../schemas/listings.ts';

export function likeRoutes(deps: AppDeps): Route[] {
  const tags = ['Likes'];
  const present = listingPresenter(deps.objects);
  return [
    defineRoute(
      {
        method: 'put', path: '/v1/listings/:id/like', operationId: 'likeListing', summary: 'Add a listing to my watchlist', tags, auth: 'required',
        description: 'Idempotent: liking a listing already liked changes nothing.',
        params: IdParams,
        responses: { 200: { description: 'Liked (also when it already was)', schema: LikeState } },
        problems: [400, 401, 404],
      },
      async ({ em, params, caller }) => ({ status: 200, body: await likeListing(em, caller.userId, params.id) }),
    ),
    defineRoute(
      {
        method: 'delete', path: '/v1/listings/:id/like', operationId: 'unlikeListing', summary: 'Remove a listing from my watchlist', tags, auth: 'required',
        description: 'Idempotent: unliking a listing not liked changes nothing.',
        params: IdParams,
        responses: { 200: { description: 'Not liked (also when it was not)', schema: LikeState } },
        problems: [400, 401, 404],
      },
      async ({ em, params, caller }) => ({ status: 200, body: await unlikeListing(em, caller.userId, params.id) }),
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/me/likes', operationId: 'listMyLikes', summary: 'My watchlist, most recently liked first', tags, auth: 'required',
        description: 'The listings the caller has liked, as a collection `{items, nextCursor}`.',
        query: PageQuery,
        responses: { 200: { description: 'One page of liked listings', schema: page(Listing) } },
        problems: [400, 401],
      },
      async ({ em, query, caller }) => ({
        status: 200,
        body: presentPage(await listLikedListings(em, caller.userId, query.cursor, query.limit), present),
      }),
    ),
  ];
}
