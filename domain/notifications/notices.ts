import type { NewNotification, NotificationData, NotificationKind } from './notification-kinds.ts';

/**
 * Every notice gavel sends: who receives it and its dedupe key, declared once. A key names the
 * kind, what it is about and the recipient, so a retried change cannot write a second one.
 */
const aboutAuction = (kind: NotificationKind, auctionId: string, userId: string, data: NotificationData, suffix = ''): NewNotification => ({
  userId,
  auctionId,
  listingId: null,
  kind,
  dedupeKey: `${kind}:${auctionId}:${userId}${suffix}`,
  data,
});

/** Who hears what when an auction closes: winner and seller, or the seller alone. */
export function closeNotices(input: {
  auctionId: string;
  sellerId: string;
  outcome: 'sold' | 'unsold';
  winnerId: string | null;
  price: number;
  unsoldReason: 'no-bids' | 'reserve-not-met' | null;
}): NewNotification[] {
  if (input.outcome === 'sold' && input.winnerId) {
    return [
      aboutAuction('auction_won', input.auctionId, input.winnerId, { price: input.price }),
      aboutAuction('auction_sold', input.auctionId, input.sellerId, { price: input.price }),
    ];
  }
  return [aboutAuction('auction_unsold', input.auctionId, input.sellerId, { reason: input.unsoldReason ?? 'no-bids' })];
}

/** At most one outbid notice per user and auction in each window, however often they are outbid. */
export const OUTBID_WINDOW_MS = 10 * 60_000;

export const outbidNotice = (auctionId: string, userId: string, price: number, now: Date): NewNotification =>
  aboutAuction('outbid', auctionId, userId, { price }, `:${Math.floor(now.getTime() / OUTBID_WINDOW_MS)}`);

/** Once per auction and liker, however many sweeps see the auction inside the window. */
export const endingSoonNotice = (auctionId: string, userId: string, price: number, minutes: number): NewNotification =>
  aboutAuction('ending_soon', auctionId, userId, { price, minutes });

/** The other party of a trade that was called off; one per trade and recipient. */
export const tradeCancelledNotice = (tradeId: string, listingId: string, userId: string, price: number): NewNotification => ({
  userId,
  auctionId: null,
  listingId,
  kind: 'trade_cancelled',
  dedupeKey: `trade_cancelled:${tradeId}:${userId}`,
  data: { price },
});
