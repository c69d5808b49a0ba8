import { createAuctionListing } from '../../domain/auctions/create-auction-listing.ts';
import type { HttpResult, TestApi, TestUser } from './api.ts';

/**
 * Set-up builders for listings, auctions, bids and purchases. They are how a test arranges the
 * world, not what it checks: each one throws, with the status and the body of the answer, when the
 * API does not answer as set-up expects, so a broken arrangement never passes for a result.
 */

/** Throws naming `what`, the status and the body unless `res` has `status`; returns `res`. */
export function expectStatus(res: HttpResult, status: number, what: string): HttpResult {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** Fields of POST /v1/listings (title, description, categoryId, price, imageUrls, photoIds, auction...). */
export type ListingFields = Record<string, unknown>;

const FIXED_PRICE: ListingFields = { title: '테스트 상품', description: '테스트로 올린 상품입니다', categoryId: 1, price: 30_000 };

/** A fixed-price listing of `seller` through POST /v1/listings (`fields` over a 30,000 won listing in category 1); the created listing. */
export async function createListing<T = any>(app: TestApi, seller: TestUser, fields: ListingFields = {}): Promise<T> {
  const res = await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { ...FIXED_PRICE, ...fields } });
  return expectStatus(res, 201, 'create listing').body as T;
}

/** POST /v1/listings/:id/purchase by `buyer`; the pending trade it opens. */
export async function purchase<T = any>(app: TestApi, buyer: TestUser, listingId: string): Promise<T> {
  const res = await app.request('POST', `/v1/listings/${listingId}/purchase`, { token: buyer.accessToken });
  return expectStatus(res, 201, 'purchase').body as T;
}

export interface AuctionListingInput {
  title?: string;
  endsAt: Date;
  startPrice?: number;
  reservePrice?: number;
}

/** An auction listing through POST /v1/listings, which also schedules its close job. */
export async function listAuction(app: TestApi, seller: TestUser, input: AuctionListingInput): Promise<{ auctionId: string; listingId: string; endsAt: Date }> {
  const res = await app.request('POST', '/v1/listings', {
    token: seller.accessToken,
    body: {
      title: input.title ?? '워커 테스트 상품',
      description: 'worker test',
      categoryId: 1,
      auction: {
        startPrice: input.startPrice ?? 10_000,
        endsAt: input.endsAt.toISOString(),
        ...(input.reservePrice ? { reservePrice: input.reservePrice } : {}),
      },
    },
  });
  expectStatus(res, 201, 'list auction');
  return { auctionId: res.body.auctionId, listingId: res.body.id, endsAt: input.endsAt };
}

export interface AuctionTerms {
  startPrice: number;
  endsAt: Date;
  startsAt?: Date;
  buyNowPrice?: number;
  reservePrice?: number;
}

/**
 * Creates an auction listing for `sellerId` straight through the use case: no HTTP and no close
 * job, for tests whose subject is bidding rather than listing or closing.
 */
export async function createTestAuction(app: TestApi, sellerId: string, terms: AuctionTerms): Promise<{ auctionId: string; listingId: string }> {
  const { listing, auction } = await createAuctionListing(app.db.orm.em.fork(), { settings: app.deps.config.auctions, followUps: app.deps.followUps }, sellerId, {
    title: '경매 테스트 상품',
    description: 'auction under test',
    categoryId: 1,
    imageUrls: [],
    auction: terms,
  });
  return { auctionId: auction.id, listingId: listing.id };
}

const HOUR_MS = 3_600_000;

/**
 * A new seller with an open auction (through the use case: 10,000 won start, ending in an hour,
 * unless `terms` say otherwise) and `bidders` new users to bid on it; all signed up at once.
 */
export async function openAuction(
  app: TestApi,
  options: Partial<AuctionTerms> & { bidders?: number } = {},
): Promise<{ seller: TestUser; bidders: TestUser[]; auctionId: string; listingId: string }> {
  const { bidders: bidderCount = 0, ...terms } = options;
  const [seller, ...bidders] = await Promise.all(Array.from({ length: bidderCount + 1 }, () => app.signup()));
  const { auctionId, listingId } = await createTestAuction(app, seller!.id, { startPrice: 10_000, endsAt: new Date(Date.now() + HOUR_MS), ...terms });
  return { seller: seller!, bidders, auctionId, listingId };
}

/** A bid that must be accepted (201): `bid` is the amount or the whole body (amount, maxAmount...). */
export async function placeBid(app: TestApi, bidder: TestUser, auctionId: string, bid: number | Record<string, unknown>, headers: Record<string, string> = {}): Promise<HttpResult> {
  const body = typeof bid === 'number' ? { amount: bid } : bid;
  const res = await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body, headers });
  return expectStatus(res, 201, 'bid');
}
