import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { tradeExpiredNotice } from '../notifications/notices.ts';
import { writeNotifications } from '../notifications/notification-writer.ts';

export type ExpireTradeResult = { result: 'expired' } | { result: 'not-pending' } | { result: 'not-due'; waitMs: number };

/**
 * Ends a fixed-price trade nobody completed in time, judged by the database clock: the trade is
 * cancelled (reason `expired`, by nobody), the listing goes back on sale and both parties are told.
 * Under the trade's and the listing's row locks, as completing and cancelling take them, so a
 * hand-over confirmed at the last moment and the expiry cannot both happen.
 */
export async function expireTrade(em: EntityManager, followUps: FollowUpDispatcher, tradeId: string): Promise<ExpireTradeResult> {
  return transactionWithFollowUps<ExpireTradeResult>(em, followUps, async (tx) => {
    const [trade] = await tx.execute<{ id: string; listing_id: string; seller_id: string; buyer_id: string; price: string; status: string; wait_ms: number | null }[]>(
      `select id, listing_id, seller_id, buyer_id, price, status,
              greatest(0, extract(epoch from expires_at - clock_timestamp()) * 1000)::int as wait_ms
       from trades where id = ? and kind = 'purchase' and expires_at is not null for update`,
      [tradeId],
    );
    if (!trade || trade.status !== 'pending') return { value: { result: 'not-pending' } };
    if (trade.wait_ms! > 0) return { value: { result: 'not-due', waitMs: trade.wait_ms! } };
    await tx.execute(`select 1 from listings where id = ? for update`, [trade.listing_id]);
    await tx.execute(
      `update trades set status = 'cancelled', cancel_reason = 'expired', cancelled_at = clock_timestamp(), cancelled_by = null where id = ?`,
      [tradeId],
    );
    await tx.execute(`update listings set status = 'on_sale', updated_at = now() where id = ? and status = 'reserved'`, [trade.listing_id]);
    const price = Number(trade.price);
    const notifications = await writeNotifications(tx, [
      tradeExpiredNotice(tradeId, trade.listing_id, trade.buyer_id, price),
      tradeExpiredNotice(tradeId, trade.listing_id, trade.seller_id, price),
    ]);
    return { value: { result: 'expired' }, followUps: { notifications } };
  });
}

/** Pending purchases past their expiry whose job was lost (Redis lost its data): the sweep's backstop. */
export async function expireOverdueTrades(em: EntityManager, followUps: FollowUpDispatcher, limit = 100): Promise<number> {
  const overdue = await em.execute<{ id: string }[]>(
    `select id from trades where status = 'pending' and kind = 'purchase' and expires_at <= clock_timestamp() order by expires_at limit ?`,
    [limit],
  );
  let expired = 0;
  for (const { id } of overdue) if ((await expireTrade(em.fork(), followUps, id)).result === 'expired') expired++;
  return expired;
}
