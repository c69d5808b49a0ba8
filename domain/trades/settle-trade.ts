import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { Listing } from '../listings/listing.entity.ts';
import { tradeCancelledNotice } from '../notifications/notices.ts';
import { writeNotifications } from '../notifications/notification-writer.ts';
import { Trade } from './trade.entity.ts';

async function lockTradeOfParty(em: EntityManager, userId: string, tradeId: string): Promise<{ trade: Trade; listing: Listing }> {
  const trade = await em.findOne(Trade, tradeId, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!trade) throw notFound('trade');
  if (trade.buyerId !== userId && trade.sellerId !== userId) throw forbidden('not-trade-party', 'Only the buyer and the seller can act on a trade.');
  if (trade.status !== 'pending') throw conflict('trade-not-pending', `The trade is already ${trade.status}.`);
  const listing = await em.findOneOrFail(Listing, trade.listingId, { lockMode: LockMode.PESSIMISTIC_WRITE });
  return { trade, listing };
}

/** Either party confirms the hand-over; the listing becomes sold. */
export async function completeTrade(em: EntityManager, userId: string, tradeId: string): Promise<Trade> {
  return em.transactional(async (tx) => {
    const { trade, listing } = await lockTradeOfParty(tx, userId, tradeId);
    trade.status = 'completed';
    trade.completedAt = new Date();
    listing.status = 'sold';
    return trade;
  });
}

/** Either party calls a purchase off before hand-over; the listing goes back on sale and the other party is told. */
export async function cancelTrade(em: EntityManager, followUps: FollowUpDispatcher, userId: string, tradeId: string): Promise<Trade> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const { trade, listing } = await lockTradeOfParty(tx, userId, tradeId);
    if (trade.kind !== 'purchase') throw conflict('trade-not-cancellable', 'An auction trade cannot be called off here.');
    trade.status = 'cancelled';
    listing.status = 'on_sale';
    const otherParty = userId === trade.buyerId ? trade.sellerId : trade.buyerId;
    const notificationIds = await writeNotifications(tx, [tradeCancelledNotice(trade.id, trade.listingId, otherParty, trade.price)]);
    return { value: trade, followUps: { notificationIds } };
  });
}
