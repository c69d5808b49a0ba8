import type { ListingView } from '../../domain/listings/listing-view.ts';
import type { ObjectStore } from '../../domain/photos/object-store.ts';
import type { Page } from '../../domain/shared/page.ts';
import type { TradeView } from '../../domain/trades/trade-view.ts';

/** Listings with their photos' URLs, which depend on where objects are stored. */
export const listingPresenter = (objects: ObjectStore) => (view: ListingView) => ({
  ...presentListing(view),
  photos: view.photos.map((photo) => ({
    id: photo.id,
    status: photo.status,
    url: photo.displayKey ? objects.publicUrl(photo.displayKey) : null,
    thumbnailUrl: photo.thumbnailKey ? objects.publicUrl(photo.thumbnailKey) : null,
  })),
});

const presentListing = (view: ListingView) => ({
  id: view.id,
  sellerId: view.sellerId,
  seller: { id: view.sellerId, nickname: view.sellerNickname },
  categoryId: view.categoryId,
  title: view.title,
  description: view.description,
  imageUrls: view.imageUrls,
  saleType: view.saleType,
  auctionId: view.auctionId,
  price: view.price,
  status: view.status,
  likeCount: view.likeCount,
  likedByMe: view.likedByMe,
  createdAt: view.createdAt.toISOString(),
  updatedAt: view.updatedAt.toISOString(),
});

export const presentTrade = (view: TradeView) => ({
  ...view,
  createdAt: view.createdAt.toISOString(),
  completedAt: view.completedAt?.toISOString() ?? null,
  cancelledAt: view.cancelledAt?.toISOString() ?? null,
  expiresAt: view.expiresAt?.toISOString() ?? null,
});

export const presentPage = <T, U>(page: Page<T>, present: (item: T) => U) => ({
  items: page.items.map(present),
  nextCursor: page.nextCursor,
});
