import { acceptOffer } from '../../domain/offers/accept-offer.ts';
import { findOfferView } from '../../domain/offers/find-offer.ts';
import type { AppDeps } from '../context.ts';
import { defineRoute, type Route } from '../route.ts';
import { AcceptedOffer, Offer } from '../schemas/auctions.ts';
import { IdParams } from '../schemas/common.ts';

export function offerRoutes(deps: AppDeps): Route[] {
  const tags = ['Offers'];
  return [
    defineRoute(
      {
        method: 'get', path: '/v1/offers/:id', operationId: 'getOffer', summary: 'One offer (its buyer or seller)', tags, auth: 'required',
        params: IdParams,
        responses: { 200: { description: 'The offer', schema: Offer } },
        problems: [400, 401, 403, 404],
      },
      async ({ em, params, caller }) => ({ status: 200, body: await findOfferView(em, caller.userId, params.id) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/offers/:id/accept', operationId: 'acceptOffer', summary: 'Accept an offer made to you', tags, auth: 'required',
        description: 'Before it expires (judged by the database clock): a trade at the offered amount; the listing is reserved.',
        params: IdParams,
        responses: { 201: { description: 'The new trade', schema: AcceptedOffer } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, caller }) => {
        const accepted = await acceptOffer(em, deps.followUps, caller.userId, params.id);
        return { status: 201, headers: { Location: `/v1/trades/${accepted.tradeId}` }, body: accepted };
      },
    ),
  ];
}
