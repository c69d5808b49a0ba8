import { z } from 'zod';
import { OFFER_KINDS, OFFER_STATUSES } from '../../domain/offers/offer-view.ts';
import { Id, PageQuery, Price, Timestamp, Won } from './common.ts';

export const Offer = z
  .object({
    offerId: Id,
    kind: z.enum(OFFER_KINDS).meta({ description: '`price`: a buyer’s price offer; `second_chance`: a seller’s offer to an auction’s runner-up.' }),
    listingId: Id,
    auctionId: Id.nullable(),
    sellerId: Id,
    buyerId: Id,
    amount: Won,
    counterAmount: Won.nullable().meta({ description: 'The seller’s counter to a price offer; the buyer may accept it.' }),
    status: z.enum(OFFER_STATUSES),
    awaiting: z.enum(['seller', 'buyer']).nullable().meta({ description: 'Whose answer an open offer waits for; null once it is decided.' }),
    expiresAt: Timestamp,
    createdAt: Timestamp,
    decidedAt: Timestamp.nullable(),
    tradeId: Id.nullable(),
  })
  .meta({ id: 'Offer' });

export const AcceptedOffer = z.object({ tradeId: Id }).meta({ id: 'AcceptedOffer' });

const PositivePrice = Price.min(1);

export const MakeOfferBody = z
  .strictObject({ amount: PositivePrice.meta({ description: 'Below the asking price, in whole won.' }) })
  .meta({ id: 'MakeOffer' });

export const CounterOfferBody = z
  .strictObject({ amount: PositivePrice.meta({ description: 'Above the offer and at most the asking price, in whole won.' }) })
  .meta({ id: 'CounterOffer' });

export const MyOffersQuery = PageQuery.extend({
  role: z.enum(['buyer', 'seller']).default('buyer').meta({ description: 'Offers I made (or was made, for a second chance) as the buyer, or received as the seller.' }),
});
