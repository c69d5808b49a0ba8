import type { TestApi, TestUser } from '../support/api.ts';
import * as listings from '../support/listings.ts';
import { createTestAuction, type AuctionTerms } from '../support/listings.ts';

/** Set-up shared by the authorization tests: each call makes a fresh resource, so tests can run at once. */

export const HOUR_MS = 3_600_000;

export const routeKey = (spec: { method: string; path: string }) => `${spec.method.toUpperCase()} ${spec.path}`;

export function sql<Row = any>(app: TestApi, text: string, params: unknown[] = []): Promise<Row[]> {
  return app.db.orm.em.fork().execute<Row[]>(text, params);
}

/** A fixed-price listing of `seller`: two camping chairs unless `overrides` say otherwise. */
export function createListing(app: TestApi, seller: TestUser, overrides: listings.ListingFields = {}): Promise<any> {
  return listings.createListing(app, seller, { title: '캠핑 의자 2개', description: '한 번 썼어요', categoryId: 1, price: 30_000, ...overrides });
}

/** An open auction listing of `seller` (through the use case: set-up, not the subject). */
export function createAuction(app: TestApi, seller: TestUser, terms: Partial<AuctionTerms> = {}) {
  return createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + HOUR_MS), buyNowPrice: 100_000, ...terms });
}

/** A pending purchase trade of `seller`'s fixed-price listing, bought by `buyer`. */
export async function pendingTrade(app: TestApi, seller: TestUser, buyer: TestUser): Promise<{ listing: any; trade: any }> {
  const listing = await createListing(app, seller);
  return { listing, trade: await listings.purchase(app, buyer, listing.id) };
}

/**
 * Every row a call on a listing could touch: the listing, its auction, bids, auction events,
 * trades and likes. Compared before and after a refused call to prove it changed nothing.
 */
export async function worldOf(app: TestApi, listingId: string) {
  const auctions = await sql(app, 'select * from auctions where listing_id = ?', [listingId]);
  const auctionId = auctions[0]?.id ?? null;
  return {
    listing: await sql(app, 'select * from listings where id = ?', [listingId]),
    auctions,
    bids: await sql(app, 'select * from bids where auction_id = ? order by seq', [auctionId]),
    events: await sql(app, 'select * from auction_events where auction_id = ? order by seq', [auctionId]),
    trades: await sql(app, 'select * from trades where listing_id = ? order by created_at, id', [listingId]),
    likes: await sql(app, 'select user_id, listing_id from listing_likes where listing_id = ? order by user_id', [listingId]),
  };
}

/** The forms a phone number could leak in: E.164, digits only, and the national form (010…). */
export const phoneForms = (phone: string) => [phone, phone.slice(1), `0${phone.slice(3)}`];

/** A conversation between `seller` (about a new fixed-price listing of theirs) and `buyer`. */
export async function openChat(app: TestApi, seller: TestUser, buyer: TestUser): Promise<{ listingId: string; conversationId: string }> {
  const listing = await createListing(app, seller);
  const res = await app.request('POST', `/v1/listings/${listing.id}/conversations`, { token: buyer.accessToken });
  if (res.status !== 201) throw new Error(`open conversation: ${res.status} ${JSON.stringify(res.body)}`);
  return { listingId: listing.id, conversationId: res.body.id };
}

/** A message `from` one party of a conversation; throws unless it is sent. */
export async function chatMessage(app: TestApi, from: TestUser, conversationId: string, text = '안녕하세요'): Promise<string> {
  const res = await app.request('POST', `/v1/conversations/${conversationId}/messages`, { token: from.accessToken, body: { text } });
  if (res.status !== 201) throw new Error(`send message: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}
