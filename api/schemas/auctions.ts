import { z } from 'zod';
import { AUCTION_EVENT_TYPES } from '../../domain/auctions/auction-events.ts';
import { Id, Price, Timestamp, TimestampInput, Won } from './common.ts';

const PositivePrice = Price.min(1);

export const NewAuctionTerms = z
  .strictObject({
    startPrice: PositivePrice,
    endsAt: TimestampInput,
    startsAt: TimestampInput.optional().meta({ description: 'Defaults to now.' }),
    buyNowPrice: PositivePrice.optional(),
    reservePrice: PositivePrice.optional().meta({ description: 'Secret; bidders only learn whether it is met.' }),
  })
  .meta({ id: 'NewAuctionTerms' });

export const Auction = z
  .object({
    id: Id,
    listingId: Id,
    sellerId: Id,
    status: z.enum(['scheduled', 'open', 'closed']),
    outcome: z.enum(['sold', 'unsold', 'cancelled']).nullable(),
    startPrice: Won,
    currentPrice: Won,
    minimumBid: Won.meta({ description: 'The least the next bid may offer (see /v1/auction-increments).' }),
    leaderId: Id.nullable(),
    bidCount: z.number().int(),
    startsAt: Timestamp,
    endsAt: Timestamp,
    buyNowPrice: Won.nullable(),
    buyNowAvailable: z.boolean(),
    reserveMet: z.boolean().nullable().meta({ description: 'null when the auction has no reserve price.' }),
    myMaxAmount: Won.nullable().meta({ description: 'Your proxy maximum, shown only to the current leader.' }),
  })
  .meta({ id: 'Auction' });

/** The JSON `data` of each event on /v1/auctions/{id}/events. Streams send events as stored, unparsed: a property test holds `auctionEvent` to it. */
export const AuctionEvent = z
  .object({
    auctionId: Id,
    seq: z.number().int().min(1).meta({ description: 'Gapless per auction; also the SSE `id:`.' }),
    type: z.enum(AUCTION_EVENT_TYPES),
    status: z.enum(['scheduled', 'open', 'closed']),
    outcome: z.enum(['sold', 'unsold', 'cancelled']).nullable(),
    currentPrice: Won,
    minimumBid: Won,
    leaderId: Id.nullable(),
    bidCount: z.number().int(),
    endsAt: Timestamp,
    extended: z.boolean().meta({ description: 'True when this event pushed `endsAt` out (soft close).' }),
    at: Timestamp,
  })
  .meta({ id: 'AuctionEvent' });

export const BidBody = z
  .strictObject({
    amount: PositivePrice.optional().meta({ description: 'Your bid. With `maxAmount` it may be left out or be below `minimumBid`: the engine bids the least needed.' }),
    maxAmount: PositivePrice.optional().meta({ description: 'Proxy bidding: the engine bids for you up to this amount.' }),
  })
  .refine((bid) => bid.amount !== undefined || bid.maxAmount !== undefined, { message: 'send amount, maxAmount, or both' })
  .meta({ id: 'NewBid' });

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional()
    .meta({ description: 'Repeat a request safely: the same key and body return the stored response for 24 hours.' }),
});

export const PlacedBid = z
  .object({
    bid: z.object({
      id: Id,
      auctionId: Id,
      amount: Won,
      maxAmount: Won.nullable(),
      kind: z.enum(['bid', 'max_raise']),
      createdAt: Timestamp,
    }),
    leading: z.boolean(),
    auction: Auction,
  })
  .meta({ id: 'PlacedBid' });

export const BidHistoryItem = z
  .object({
    id: Id,
    bidder: z.string().meta({ description: "The bidder's pseudonym in this auction (`bidder 4K7Q2M`): the same on each of their bids here, unrelated to any other auction or account.", example: 'bidder 4K7Q2M' }),
    bidderId: Id.nullable().meta({ description: "The bidder's account id on the caller's own bids; null on everyone else's." }),
    amount: Won,
    automatic: z.boolean(),
    createdAt: Timestamp,
  })
  .meta({ id: 'BidHistoryItem' });

export const MyBid = z
  .object({ auction: Auction, listingTitle: z.string(), myHighestBid: Won, leading: z.boolean(), lastBidAt: Timestamp })
  .meta({ id: 'MyBid' });

export const BuyNowResult = z.object({ auction: Auction, tradeId: Id }).meta({ id: 'BuyNowResult' });

export const IncrementTable = z
  .object({ items: z.array(z.object({ fromPrice: Won, toPrice: Won.nullable(), increment: Won })) })
  .meta({ id: 'IncrementTable' });


export const CancelAuctionBody = z
  .strictObject({ reason: z.string().trim().min(1).max(500).meta({ description: 'Why; told to the bidders.' }) })
  .meta({ id: 'CancelAuction' });

export { AcceptedOffer, Offer } from './offers.ts';
