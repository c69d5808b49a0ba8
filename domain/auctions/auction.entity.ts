import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../shared/ids.ts';

/**
 * Mapped for creation and ORM reads. The bid path reads and writes the same row with
 * hand-written SQL (see auction-repository.ts) to hold its row lock for as few round trips as possible.
 */
export const Auction = defineEntity({
  name: 'Auction',
  tableName: 'auctions',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    listingId: p.uuid(),
    sellerId: p.uuid(),
    status: p.enum(['scheduled', 'open', 'closed'] as const),
    outcome: p.enum(['sold', 'unsold', 'cancelled'] as const).nullable(),
    startPrice: p.bigint('number'),
    currentPrice: p.bigint('number'),
    leaderId: p.uuid().nullable(),
    leaderMaxAmount: p.bigint('number').nullable(),
    bidCount: p.integer().default(0),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    originalEndsAt: p.datetime(),
    buyNowPrice: p.bigint('number').nullable(),
    reservePrice: p.bigint('number').nullable(),
    reserveMet: p.boolean().nullable(),
    eventSeq: p.bigint('number').default(0),
    closedAt: p.datetime().nullable(),
    cancelReason: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type Auction = InferEntity<typeof Auction>;
