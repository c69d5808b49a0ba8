import { z } from 'zod';
import { LISTING_STATUSES, MANUAL_LISTING_STATUSES, SALE_TYPES } from '../../domain/listings/listing-status.ts';
import { LISTING_SORTS } from '../../domain/listings/search-listings.ts';
import { MAX_WON } from '../../domain/shared/money.ts';
import { NewAuctionTerms } from './auctions.ts';
import { Id, PageQuery, Price, Timestamp, Won } from './common.ts';

export const ListingStatus = z
  .enum(LISTING_STATUSES)
  .meta({ description: 'on_sale 판매중, reserved 예약중, sold 거래완료, ended 판매종료 (an auction ended without a sale; the seller may relist it)' });
export const SaleType = z.enum(SALE_TYPES);

// PostgreSQL text cannot hold U+0000: refused here it is a 400, not a failed insert (a 500).
// eslint-disable-next-line no-control-regex -- matching control characters is how this refuses them
const NO_NUL = /^[^\u0000]*$/;
const noNul = 'must not contain NUL characters';

const Title = z.string().trim().min(1).max(100).regex(NO_NUL, noNul);
const Description = z.string().max(5000).regex(NO_NUL, noNul);
const CategoryId = z.number().int().min(1).max(1_000_000);
const ImageUrls = z
  .array(z.url({ protocol: /^https?$/ }).max(2048).regex(NO_NUL, noNul))
  .max(10)
  .meta({ description: 'Up to 10 http(s) image URLs, in display order.' });

const PhotoIds = z
  .array(Id)
  .max(10)
  .meta({ description: 'Uploads (from POST /v1/uploads) to show, in this order; at most 10. On PATCH, the full new list.' });

export const Photo = z
  .object({
    id: Id,
    status: z.enum(['processing', 'ready', 'failed']),
    url: z.string().nullable().meta({ description: 'The display size, once ready.' }),
    thumbnailUrl: z.string().nullable(),
  })
  .meta({ id: 'Photo' });

export const NewListingBody = z
  .strictObject({
    title: Title,
    description: Description,
    categoryId: CategoryId,
    imageUrls: ImageUrls.optional(),
    photoIds: PhotoIds.optional(),
    price: Price.optional().meta({ description: 'For a fixed-price sale.' }),
    auction: NewAuctionTerms.optional().meta({ description: 'For a sale by auction (instead of `price`).' }),
  })
  .refine((body) => (body.price === undefined) !== (body.auction === undefined), {
    path: ['price'],
    message: 'send either price (a fixed-price sale) or auction (a sale by auction), not both',
  })
  .meta({ id: 'NewListing' });

export const ListingPatchBody = z
  .strictObject({
    title: Title.optional(),
    description: Description.optional(),
    categoryId: CategoryId.optional(),
    imageUrls: ImageUrls.optional(),
    photoIds: PhotoIds.optional(),
    price: Price.optional(),
    status: z.enum(MANUAL_LISTING_STATUSES).optional().meta({ description: 'Fixed-price listings without a trade only.' }),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field to change')
  .meta({ id: 'ListingPatch' });

export const Listing = z
  .object({
    id: Id,
    sellerId: Id,
    seller: z.object({ id: Id, nickname: z.string() }),
    categoryId: z.number().int(),
    title: z.string(),
    description: z.string(),
    imageUrls: z.array(z.string()),
    saleType: SaleType,
    auctionId: Id.nullable().meta({ description: 'The auction of an auction listing (see /v1/auctions/{id}).' }),
    price: Won.meta({ description: 'The fixed price, or an auction listing’s current price.' }),
    status: ListingStatus,
    likeCount: z.number().int(),
    likedByMe: z.boolean().nullable().meta({ description: 'null when the request is anonymous.' }),
    photos: z.array(Photo),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Listing' });

// Digits only: plain coercion would read `maxPrice=` as 0 (only free items) and accept `0x10` or `1e3`.
const optionalInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number')
    .pipe(z.coerce.number<string>().int().min(min).max(max))
    .optional()
    .meta({ override: { type: 'integer', minimum: min, maximum: max } });

export const ListingSearchQuery = PageQuery.extend({
  q: z.string().trim().max(100).regex(NO_NUL, noNul).optional().meta({ description: 'Words that must all appear (Korean words match inside compounds and before particles).' }),
  categoryId: optionalInt(1, 1_000_000),
  status: ListingStatus.optional(),
  saleType: SaleType.optional(),
  sellerId: Id.optional(),
  minPrice: optionalInt(0, MAX_WON),
  maxPrice: optionalInt(0, MAX_WON),
  sort: z.enum(LISTING_SORTS).default('newest'),
});

export const Category = z.object({ id: z.number().int(), slug: z.string(), name: z.string() }).meta({ id: 'Category' });

export const LikeState = z.object({ listingId: Id, liked: z.boolean(), likeCount: z.number().int() }).meta({ id: 'LikeState' });

export const RelistBody = z
  .strictObject({
    price: Won.min(1).optional().meta({ description: 'Sell at this fixed price from now on.' }),
    auction: NewAuctionTerms.optional().meta({ description: 'Sell in a new auction (a new auctionId).' }),
  })
  .refine((body) => (body.price === undefined) !== (body.auction === undefined), 'send either price or auction')
  .meta({ id: 'Relist' });
