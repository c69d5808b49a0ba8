import { cursorTimestampSql } from '../shared/cursor.ts';
import type { ListingStatus, SaleType } from './listing-status.ts';

/** A listing as readers see it, with what they need about the seller (never the phone). */
export interface ListingView {
  id: string;
  sellerId: string;
  sellerNickname: string;
  categoryId: number;
  title: string;
  description: string;
  imageUrls: string[];
  saleType: SaleType;
  auctionId: string | null;
  price: number;
  status: ListingStatus;
  likeCount: number;
  likedByMe: boolean | null;
  photos: ListingPhotoView[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ListingPhotoView {
  id: string;
  status: 'processing' | 'ready' | 'failed';
  displayKey: string | null;
  thumbnailKey: string | null;
}

export interface ListingRow {
  id: string;
  seller_id: string;
  seller_nickname: string;
  category_id: number;
  title: string;
  description: string;
  image_urls: string[];
  sale_type: SaleType;
  auction_id: string | null;
  price: string | number;
  status: ListingStatus;
  like_count: number;
  liked_by_me: boolean | null;
  hidden: boolean;
  photos: ListingPhotoView[];
  created_at: Date | string;
  updated_at: Date | string;
  /** Microsecond-exact creation time for keyset cursors (a JS Date keeps only milliseconds). */
  created_key: string;
}

/** Selected with `listings l join users u` and a `?` parameter for the viewer (or null). */
export const LISTING_VIEW_COLUMNS = `
  l.id, l.seller_id, u.nickname as seller_nickname, l.category_id, l.title, l.description,
  l.image_urls, l.sale_type, case when l.sale_type = 'auction' then (select a.id from auctions a where a.listing_id = l.id order by a.created_at desc limit 1) end as auction_id, l.price, l.status, l.like_count, l.created_at, l.updated_at,
  l.hidden_at is not null as hidden, ${cursorTimestampSql('l.created_at')} as created_key,
  (select coalesce(jsonb_agg(jsonb_build_object('id', p.id, 'status', p.status, 'displayKey', p.display_key,
            'thumbnailKey', p.thumbnail_key) order by p.position), '[]'::jsonb)
   from listing_photos p where p.listing_id = l.id) as photos,
  case when ?::uuid is null then null
       else exists (select 1 from listing_likes k where k.listing_id = l.id and k.user_id = ?::uuid) end as liked_by_me`;

export const listingViewParams = (viewerId: string | undefined) => [viewerId ?? null, viewerId ?? null];

export const toListingView = (row: ListingRow): ListingView => ({
  id: row.id,
  sellerId: row.seller_id,
  sellerNickname: row.seller_nickname,
  categoryId: row.category_id,
  title: row.title,
  description: row.description,
  imageUrls: row.image_urls,
  saleType: row.sale_type,
  auctionId: row.auction_id,
  price: Number(row.price),
  status: row.status,
  likeCount: row.like_count,
  likedByMe: row.liked_by_me,
  photos: row.photos,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});
