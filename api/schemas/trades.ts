import { z } from 'zod';
import { TRADE_KINDS, TRADE_STATUSES } from '../../domain/trades/trade.entity.ts';
import { Id, PageQuery, Timestamp, Won } from './common.ts';

export const Trade = z
  .object({
    id: Id,
    listingId: Id,
    auctionId: Id.nullable().meta({ description: 'The auction the trade came from, if any.' }),
    listingTitle: z.string().meta({ description: 'The title when the trade was made.' }),
    sellerId: Id,
    buyerId: Id,
    price: Won,
    kind: z.enum(TRADE_KINDS),
    status: z.enum(TRADE_STATUSES),
    createdAt: Timestamp,
    completedAt: Timestamp.nullable(),
    cancelledAt: Timestamp.nullable(),
    cancelReason: z.string().nullable().meta({ description: '`expired` when a pending purchase was not completed in time.' }),
    expiresAt: Timestamp.nullable().meta({ description: 'A pending purchase is cancelled by itself then (TRADE_PENDING_TTL_S); null for auction trades.' }),
  })
  .meta({ id: 'Trade' });

export const CancelTradeBody = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional().meta({ description: 'Why; shown to the other party.' }) })
  .meta({ id: 'CancelTrade' });

export const MyTradesQuery = PageQuery.extend({
  role: z.enum(['buyer', 'seller']).default('buyer').meta({ description: 'Trades where I am the buyer, or the seller.' }),
});
