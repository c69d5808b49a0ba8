import { getAuction, listAuctionBids, listMyBids } from '../../domain/auctions/auction-queries.ts';
import { buyNow } from '../../domain/auctions/buy-now.ts';
import { cancelAuction } from '../../domain/auctions/cancel-auction.ts';
import { offerSecondChance } from '../../domain/offers/second-chance.ts';
import { incrementTable } from '../../domain/auctions/increment-table.ts';
import { placeBid } from '../../domain/auctions/place-bid.ts';
import { DomainError } from '../../domain/errors.ts';
import type { AppDeps } from '../context.ts';
import { defineRoute, type Route } from '../route.ts';
import {
  Auction,
  BidBody,
  BidHistoryItem,
  BuyNowResult,
  CancelAuctionBody,
  IdempotencyHeaders,
  IncrementTable,
  MyBid,
  Offer,
  PlacedBid,
} from '../schemas/auctions.ts';
import { IdParams, PageQuery, page } from '../schemas/common.ts';
import { createKeyedGate } from '../../infra/keyed-gate.ts';

export function auctionRoutes(deps: AppDeps): Route[] {
  const tags = ['Auctions'];
  const bidDeps = {
    settings: deps.config.auctions,
    bidRateLimiter: deps.bidRateLimiter,
    followUps: deps.followUps,
    lockQueue: createKeyedGate(deps.config.auctions.bidLockQueue),
  };
  const lifecycleDeps = { settings: deps.config.auctions, followUps: deps.followUps };
  return [
    defineRoute(
      {
        method: 'get', path: '/v1/auction-increments', operationId: 'getIncrementTable', tags, auth: 'none',
        description: 'The minimum step above the current price a bid must add, by price band; `minimumBid` of an auction follows from it.',
        summary: 'The published minimum bid increment by price band',
        responses: { 200: { description: 'Bands in ascending price order', schema: IncrementTable } },
        problems: [],
      },
      async () => ({ status: 200, body: { items: incrementTable } }),
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/auctions/:id', operationId: 'getAuction', summary: 'An auction’s current state', tags, auth: 'optional',
        description: 'Status (`scheduled`, `open`, `closed`), outcome, current price, the least the next bid may offer (`minimumBid`), the leader, the bid count, the end (moved by the soft close) and whether buy-now is still offered.',
        params: IdParams,
        responses: { 200: { description: 'The auction', schema: Auction } },
        problems: [400, 404],
      },
      async ({ em, params, caller }) => ({ status: 200, body: await getAuction(em, params.id, caller?.userId) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/auctions/:id/bids', operationId: 'placeBid', tags, auth: 'required',
        summary: 'Bid, optionally with a proxy maximum',
        description:
          'Judged by the database clock under a row lock. With `maxAmount` the engine bids for you, eBay-style. ' +
          'A repeat with the same Idempotency-Key and body returns the stored response; another body gives 422.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: BidBody,
        responses: { 201: { description: 'Accepted: the bid and the auction’s new state', schema: PlacedBid } },
        problems: [400, 401, 403, 404, 409, 422, 429],
      },
      async ({ em, params, headers, body, caller }) => {
        const result = await placeBid(em, bidDeps, {
          auctionId: params.id,
          bidderId: caller.userId,
          amount: body.amount,
          maxAmount: body.maxAmount,
          idempotencyKey: headers['idempotency-key'],
        }).catch((error: unknown) => {
          deps.metrics.bids.inc({ result: 'rejected', reason: error instanceof DomainError ? error.code : 'error' });
          throw error;
        });
        deps.metrics.bids.inc({ result: result.replayed ? 'replayed' : 'accepted', reason: '' });
        return {
          status: result.statusCode,
          headers: { 'Idempotent-Replayed': String(result.replayed) },
          body: result.response,
        };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/auctions/:id/bids', operationId: 'listAuctionBids', summary: 'Bid history, newest first', tags, auth: 'optional',
        description: 'Bidders appear by a pseudonym per auction (`bidder`); the caller\'s own bids also carry their `bidderId`.',
        params: IdParams,
        query: PageQuery,
        responses: { 200: { description: 'One page of bids', schema: page(BidHistoryItem) } },
        problems: [400, 404],
        reads: 'replica',
      },
      async ({ em, params, query, caller }) => ({
        status: 200,
        body: await listAuctionBids(em, params.id, query.cursor, query.limit, { viewerId: caller?.userId, pseudonymSecret: deps.config.pseudonymSecret }),
      }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/auctions/:id/buy-now', operationId: 'buyNow', tags, auth: 'required',
        summary: 'End the auction at once at its buy-now price',
        description: 'Offered until the first bid (with a reserve: until a bid meets it); see `buyNowAvailable`. Opens the trade.',
        params: IdParams,
        responses: { 201: { description: 'Bought: the closed auction and the new trade', schema: BuyNowResult } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, caller }) => {
        const result = await buyNow(em, deps.followUps, caller.userId, params.id);
        return { status: 201, headers: { Location: `/v1/trades/${result.tradeId}` }, body: result };
      },
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/auctions/:id/cancel', operationId: 'cancelAuction', tags, auth: 'required',
        summary: 'Call the auction off (seller)',
        description:
          'Before the first bid at any time; with bids only until AUCTION_CANCEL_CUTOFF_S before the end. ' +
          'The outcome becomes `cancelled`, watchers get the `closed` event, bidders are told, and the listing ends until relisted.',
        params: IdParams,
        body: CancelAuctionBody,
        responses: { 200: { description: 'The cancelled auction', schema: Auction } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, body, caller }) => ({ status: 200, body: await cancelAuction(em, lifecycleDeps, caller.userId, params.id, body.reason) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/auctions/:id/second-chance', operationId: 'offerSecondChance', tags, auth: 'required',
        summary: 'Offer the item to the runner-up (seller)',
        description:
          'After the winner’s trade was called off: the runner-up may buy at their own highest bid with `POST /v1/offers/{id}/accept` ' +
          'until the offer expires (OFFER_TTL_S). One per auction; withdrawn if the listing is relisted.',
        params: IdParams,
        responses: { 201: { description: 'The offer', schema: Offer } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, caller }) => {
        const offer = await offerSecondChance(em, lifecycleDeps, caller.userId, params.id);
        return { status: 201, headers: { Location: `/v1/offers/${offer.offerId}` }, body: offer };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/me/bids', operationId: 'listMyBids', summary: 'Auctions I have bid on, and whether I lead', tags, auth: 'required',
        description: 'Every auction the caller has bid on, with the caller’s highest bid and whether the caller leads, as a collection `{items, nextCursor}`.',
        query: PageQuery,
        responses: { 200: { description: 'One page, most recent bid first', schema: page(MyBid) } },
        problems: [400, 401],
      },
      async ({ em, query, caller }) => ({ status: 200, body: await listMyBids(em, caller.userId, query.cursor, query.limit) }),
    ),
  ];
}
