import { z } from 'zod';
import { createAuctionListing } from '../../domain/auctions/create-auction-listing.ts';
import { Category as CategoryEntity } from '../../domain/listings/category.entity.ts';
import { createFixedPriceListing } from '../../domain/listings/create-listing.ts';
import { deleteListing } from '../../domain/listings/delete-listing.ts';
import { findListingView } from '../../domain/listings/find-listing.ts';
import { confirmUploads } from '../../domain/photos/attach-photos.ts';
import { searchListings } from '../../domain/listings/search-listings.ts';
import { relistListing } from '../../domain/listings/relist-listing.ts';
import { updateListing } from '../../domain/listings/update-listing.ts';
import type { AppDeps } from '../context.ts';
import { listingPresenter, presentPage } from '../presenters/listings.ts';
import { defineRoute, type Route } from '../route.ts';
import { IdParams, page } from '../schemas/common.ts';
import { Category, Listing, ListingPatchBody, ListingSearchQuery, NewListingBody, RelistBody } from '../schemas/listings.ts';

export function listingRoutes(deps: AppDeps): Route[] {
  const tags = ['Listings'];
  const present = listingPresenter(deps.objects);
  return [
    defineRoute(
      {
        method: 'get', path: '/v1/categories', operationId: 'listCategories', summary: 'Categories a listing can be filed under', tags, auth: 'none',
        description: 'Every category, for the `categoryId` of a new listing and the `categoryId` filter of the search.',
        responses: { 200: { description: 'All categories, in display order', schema: z.object({ items: z.array(Category) }) } },
        problems: [],
      },
      async ({ em }) => {
        const items = await em.find(CategoryEntity, {}, { orderBy: { position: 'asc' } });
        return { status: 200, body: { items } };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/listings', operationId: 'searchListings', summary: 'Search and browse listings', tags, auth: 'optional',
        description: 'Filters by words (`q`), category, status, price range and sale type, in the chosen `sort`; keyset pagination with `cursor`. Listings of users the caller has blocked, or who blocked the caller, are left out.',
        query: ListingSearchQuery,
        responses: { 200: { description: 'One page of listings', schema: page(Listing) } },
        problems: [400],
        reads: 'replica',
      },
      async ({ em, query, caller }) => ({ status: 200, body: presentPage(await searchListings(em, query, caller?.userId), present) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/listings', operationId: 'createListing', summary: 'List an item for sale', tags, auth: 'required',
        description: 'Send `price` for a fixed-price sale, or `auction` to sell by auction; the listing of an auction carries `auctionId`.',
        body: NewListingBody,
        responses: { 201: { description: 'The new listing', schema: Listing } },
        problems: [400, 401],
      },
      async ({ em, body, caller }) => {
        // No image URLs sent means none: applied here, not as a schema default, so clients may omit it.
        const { price, auction, photoIds = [], imageUrls = [], ...fields } = body;
        const content = { ...fields, imageUrls };
        await confirmUploads(em, deps.objects, caller.userId, photoIds);
        const listing = auction
          ? (
              await createAuctionListing(em, { settings: deps.config.auctions, followUps: deps.followUps }, caller.userId, {
                ...content,
                photoIds,
                auction: { ...auction, endsAt: new Date(auction.endsAt), startsAt: auction.startsAt ? new Date(auction.startsAt) : undefined },
              })
            ).listing
          : await createFixedPriceListing(em, deps.followUps, caller.userId, { ...content, photoIds, price: price! });
        const { id } = listing;
        return { status: 201, headers: { Location: `/v1/listings/${id}` }, body: present(await findListingView(em, id, caller.userId)) };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/listings/:id', operationId: 'getListing', summary: 'One listing', tags, auth: 'optional',
        description: 'The listing with its photos and, for a sale by auction, its `auctionId`.',
        params: IdParams,
        responses: { 200: { description: 'The listing', schema: Listing } },
        problems: [400, 404],
      },
      async ({ em, params, caller }) => ({ status: 200, body: present(await findListingView(em, params.id, caller?.userId)) }),
    ),
    defineRoute(
      {
        method: 'patch', path: '/v1/listings/:id', operationId: 'updateListing', summary: 'Change a listing (seller only)', tags, auth: 'required',
        description: 'Only the seller (403 for others). Once an auction has a bid, its title, price terms and photos are fixed (409).',
        params: IdParams,
        body: ListingPatchBody,
        responses: { 200: { description: 'The changed listing', schema: Listing } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, body, caller }) => {
        if (body.photoIds) await confirmUploads(em, deps.objects, caller.userId, body.photoIds);
        await updateListing(em, deps.followUps, caller.userId, params.id, body);
        return { status: 200, body: present(await findListingView(em, params.id, caller.userId)) };
      },
    ),
    defineRoute(
      {
        method: 'delete', path: '/v1/listings/:id', operationId: 'deleteListing', summary: 'Remove a listing (seller only)', tags, auth: 'required',
        description: 'Only the seller (403 for others).',
        params: IdParams,
        responses: { 204: { description: 'Removed' } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, caller }) => {
        await deleteListing(em, deps.followUps, caller.userId, params.id);
        return { status: 204 };
      },
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/listings/:id/relist', operationId: 'relistListing', summary: 'Put an ended listing back on sale (seller only)', tags, auth: 'required',
        description:
          'For a listing whose auction ended unsold or cancelled, or whose auction trade was called off (`status: ended`): ' +
          'at a fixed `price`, or in a new `auction` (a new `auctionId`). An open second-chance offer is withdrawn.',
        params: IdParams,
        body: RelistBody,
        responses: { 201: { description: 'The listing, on sale again', schema: Listing } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, body, caller }) => {
        const { auction } = body;
        const terms = auction
          ? { auction: { ...auction, endsAt: new Date(auction.endsAt), startsAt: auction.startsAt ? new Date(auction.startsAt) : undefined } }
          : { price: body.price! };
        await relistListing(em, { settings: deps.config.auctions, followUps: deps.followUps }, caller.userId, params.id, terms);
        return { status: 201, headers: { Location: `/v1/listings/${params.id}` }, body: present(await findListingView(em, params.id, caller.userId)) };
      },
    ),
  ];
}
