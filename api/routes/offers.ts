import { acceptOffer } from '../../domain/offers/accept-offer.ts';
import { findOfferView } from '../../domain/offers/find-offer.ts';
import { listMyOffers } from '../../domain/offers/offer-view.ts';
import { counterOffer, declineOffer, makePriceOffer, withdrawOffer } from '../../domain/offers/price-offers.ts';
import type { AppDeps } from '../context.ts';
import { presentPage } from '../presenters/listings.ts';
import { defineRoute, type Route } from '../route.ts';
import { IdParams, page } from '../schemas/common.ts';
import { AcceptedOffer, CounterOfferBody, MakeOfferBody, MyOffersQuery, Offer } from '../schemas/offers.ts';

export function offerRoutes(deps: AppDeps): Route[] {
  const tags = ['Offers'];
  const offerDeps = { settings: deps.config.auctions, followUps: deps.followUps };
  return [
    defineRoute(
      {
        method: 'post', path: '/v1/listings/:id/offers', operationId: 'makePriceOffer', summary: 'Offer a price for a fixed-price listing (가격 제안)', tags, auth: 'required',
        description:
          'Below the asking price (at the price, buy it) on a listing `on_sale`, not your own; one open offer per buyer and listing. ' +
          'The seller accepts, declines or counters it; it expires at `expiresAt` (OFFER_TTL_S) if nobody does.',
        params: IdParams,
        body: MakeOfferBody,
        responses: { 201: { description: 'The offer', schema: Offer } },
        problems: [400, 401, 403, 404, 409, 422],
      },
      async ({ em, params, body, caller }) => {
        const offer = await makePriceOffer(em, offerDeps, caller.userId, params.id, body.amount);
        return { status: 201, headers: { Location: `/v1/offers/${offer.offerId}` }, body: offer };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/me/offers', operationId: 'listMyOffers', summary: 'My offers as buyer or seller, newest first', tags, auth: 'required',
        description: 'Price offers the caller made (`role=buyer`) or received (`role=seller`), as a collection `{items, nextCursor}`.',
        query: MyOffersQuery,
        responses: { 200: { description: 'One page of offers', schema: page(Offer) } },
        problems: [400, 401],
      },
      async ({ em, query, caller }) => ({
        status: 200,
        body: presentPage(await listMyOffers(em, caller.userId, query.role, query.cursor, query.limit), (offer) => offer),
      }),
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/offers/:id', operationId: 'getOffer', summary: 'One offer (its buyer or seller)', tags, auth: 'required',
        description: 'Only the offer’s buyer or seller see it.',
        params: IdParams,
        responses: { 200: { description: 'The offer', schema: Offer } },
        problems: [400, 401, 403, 404],
      },
      async ({ em, params, caller }) => ({ status: 200, body: await findOfferView(em, caller.userId, params.id) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/offers/:id/accept', operationId: 'acceptOffer', summary: 'Accept an offer, or the counter to yours', tags, auth: 'required',
        description:
          'Before it expires (judged by the database clock): a trade at the agreed amount; the listing is reserved. The seller accepts a price offer ' +
          '(every other open offer on the listing is declined), the buyer accepts the seller’s counter or a second-chance offer. A price offer’s ' +
          'trade is a purchase: it counts toward the buyer’s open purchases (409 `too-many-open-trades`) and expires like one.',
        params: IdParams,
        responses: { 201: { description: 'The new trade', schema: AcceptedOffer } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, caller }) => {
        const accepted = await acceptOffer(em, { followUps: deps.followUps, trades: deps.config.trades }, caller.userId, params.id);
        return { status: 201, headers: { Location: `/v1/trades/${accepted.tradeId}` }, body: accepted };
      },
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/offers/:id/decline', operationId: 'declineOffer', summary: 'Decline a price offer (seller)', tags, auth: 'required',
        description: 'Only the seller of the listing, while the offer is pending; the buyer is notified.',
        params: IdParams,
        responses: { 200: { description: 'The declined offer', schema: Offer } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, caller }) => ({ status: 200, body: await declineOffer(em, deps.followUps, caller.userId, params.id) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/offers/:id/counter', operationId: 'counterOffer', summary: 'Answer a price offer with another amount (seller)', tags, auth: 'required',
        description: 'Once per offer, above the offered amount and at most the asking price. The buyer then has OFFER_TTL_S to accept it or withdraw.',
        params: IdParams,
        body: CounterOfferBody,
        responses: { 200: { description: 'The countered offer', schema: Offer } },
        problems: [400, 401, 403, 404, 409, 422],
      },
      async ({ em, params, body, caller }) => ({ status: 200, body: await counterOffer(em, offerDeps, caller.userId, params.id, body.amount) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/offers/:id/withdraw', operationId: 'withdrawOffer', summary: 'Take back my price offer (buyer)', tags, auth: 'required',
        description: 'Only the buyer who made the offer, while it is pending.',
        params: IdParams,
        responses: { 200: { description: 'The withdrawn offer', schema: Offer } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, caller }) => ({ status: 200, body: await withdrawOffer(em, deps.followUps, caller.userId, params.id) }),
    ),
  ];
}
