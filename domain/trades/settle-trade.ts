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

/**
 * Either party calls a trade off before hand-over, saying why; the other party is told. A
 * fixed-price listing goes back on sale. An auction's listing ends instead: its price was the
 * auction's, so the seller decides what comes next (relist, or a second chance to the runner-up).
 */
export async function cancelTrade(
  em: EntityManager,
  followUps: FollowUpDispatcher,
  userId: string,
  tradeId: string,
  reason: string | null = null,
): Promise<Trade> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const { trade, listing } = await lockTradeOfParty(tx, userId, tradeId);
    trade.status = 'cancelled';
    trade.cancelReason = reason;
    trade.cancelledBy = userId;
    trade.cancelledAt = new Date();
    listing.status = trade.kind === 'purchase' ? 'on_sale' : 'ended';
    const otherParty = userId === trade.buyerId ? trade.sellerId : trade.buyerId;
    const notifications = await writeNotifications(tx, [tradeCancelledNotice(trade.id, trade.listingId, otherParty, trade.price)]);
    return { value: trade, followUps: { notifications } };
  });
}
