import { z } from 'zod';
import { TRADE_KINDS, TRADE_STATUSES } from '../../domain/trades/trade.entity.ts';
import { Id, PageQuery, Timestamp, Won } from './common.ts';

export const Trade = z
  .object({
    id: Id,
    listingId: Id,
    listingTitle: z.string(),
    sellerId: Id,
    buyerId: Id,
    price: Won,
    kind: z.enum(TRADE_KINDS),
    status: z.enum(TRADE_STATUSES),
    createdAt: Timestamp,
    completedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Trade' });

export const MyTradesQuery = PageQuery.extend({
  role: z.enum(['buyer', 'seller']).default('buyer').meta({ description: 'Trades where I am the buyer, or the seller.' }),
});
