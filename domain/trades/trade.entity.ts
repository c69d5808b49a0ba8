import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../shared/ids.ts';

export const TRADE_KINDS = ['purchase', 'auction'] as const;
export const TRADE_STATUSES = ['pending', 'completed', 'cancelled'] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];

export const Trade = defineEntity({
  name: 'Trade',
  tableName: 'trades',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    listingId: p.uuid(),
    /** The auction it came from, if any (a listing may have several after relisting). */
    auctionId: p.uuid().nullable(),
    /** The title when the trade was made: what was agreed, whatever the listing says later. */
    title: p.string(),
    sellerId: p.uuid(),
    buyerId: p.uuid(),
    price: p.bigint('number'),
    kind: p.enum(TRADE_KINDS),
    status: p.enum(TRADE_STATUSES).default('pending'),
    createdAt: p.datetime().onCreate(() => new Date()),
    completedAt: p.datetime().nullable(),
    cancelReason: p.text().nullable(),
    cancelledBy: p.uuid().nullable(),
    cancelledAt: p.datetime().nullable(),
    /** A pending purchase ends by itself then (TRADE_PENDING_TTL_S after it was made); null for auction trades. */
    expiresAt: p.datetime().nullable(),
  },
});
export type Trade = InferEntity<typeof Trade>;
