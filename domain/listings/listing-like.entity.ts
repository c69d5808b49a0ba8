import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ListingLike = defineEntity({
  name: 'ListingLike',
  tableName: 'listing_likes',
  properties: {
    userId: p.uuid().primary(),
    listingId: p.uuid().primary(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ListingLike = InferEntity<typeof ListingLike>;
