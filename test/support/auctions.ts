import { createAuctionListing } from '../../domain/auctions/create-auction-listing.ts';
import type { TestApi } from './api.ts';

export interface AuctionTerms {
  startPrice: number;
  endsAt: Date;
  startsAt?: Date;
  buyNowPrice?: number;
  reservePrice?: number;
}

/** Creates an auction listing for `sellerId` straight through the use case (setup, not the subject). */
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
