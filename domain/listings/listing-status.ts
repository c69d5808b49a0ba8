/** `ended`: an auction ended without a sale (or its trade was called off); the seller may relist it. */
export const LISTING_STATUSES = ['on_sale', 'reserved', 'sold', 'ended'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];
/** What a seller may set by hand on a fixed-price listing; `ended` follows an auction only. */
export const MANUAL_LISTING_STATUSES = ['on_sale', 'reserved', 'sold'] as const;

export const SALE_TYPES = ['fixed', 'auction'] as const;
export type SaleType = (typeof SALE_TYPES)[number];
