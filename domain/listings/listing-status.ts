export const LISTING_STATUSES = ['on_sale', 'reserved', 'sold'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

export const SALE_TYPES = ['fixed', 'auction'] as const;
export type SaleType = (typeof SALE_TYPES)[number];
