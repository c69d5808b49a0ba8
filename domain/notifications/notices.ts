import type { NewNotification, NotificationData, NotificationKind } from './notification-kinds.ts';

/**
 * Every notice gavel sends: who receives it, its dedupe key, and whether it is worth an SMS,
 * declared once. A key names the kind, what it is about and the recipient, so a retried change
 * cannot write a second one. SMS go only where the recipient must act or has lost something.
 */
const SMS: { readonly [K in NotificationKind]: boolean } = {
  auction_won: true,
  auction_sold: true,
  auction_unsold: true,
  auction_lost: false,
  auction_cancelled: true,
  outbid: true,
  ending_soon: true,
  trade_cancelled: true,
  trade_expired: true,
  second_chance_offer: true,
  // A chat is read in the app; an SMS per message would be spam.
  new_message: false,
};

const aboutAuction = (kind: NotificationKind, auctionId: string, userId: string, data: NotificationData, suffix = ''): NewNotification => ({
  userId,
  auctionId,
  listingId: null,
  kind,
  dedupeKey: `${kind}:${auctionId}:${userId}${suffix}`,
  data,
  sms: SMS[kind],
});

/**
 * Who hears what when an auction closes: winner and seller (or the seller alone), and every other
 * bidder that they did not win.
 */
export function closeNotices(input: {
  auctionId: string;
  sellerId: string;
  outcome: 'sold' | 'unsold';
  winnerId: string | null;
  price: number;
  unsoldReason: 'no-bids' | 'reserve-not-met' | null;
  bidderIds: readonly string[];
}): NewNotification[] {
  const lostData = input.outcome === 'sold' ? { price: input.price } : {};
  const losers = input.bidderIds.filter((id) => id !== input.winnerId).map((id) => aboutAuction('auction_lost', input.auctionId, id, lostData));
  if (input.outcome === 'sold' && input.winnerId) {
    return [
      aboutAuction('auction_won', input.auctionId, input.winnerId, { price: input.price }),
      aboutAuction('auction_sold', input.auctionId, input.sellerId, { price: input.price }),
      ...losers,
    ];
  }
  return [aboutAuction('auction_unsold', input.auctionId, input.sellerId, { reason: input.unsoldReason ?? 'no-bids' }), ...losers];
}

/** Everyone who bid hears that the seller called the auction off. */
export const cancelNotices = (auctionId: string, bidderIds: readonly string[]): NewNotification[] =>
  bidderIds.map((id) => aboutAuction('auction_cancelled', auctionId, id, {}));

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
  sms: SMS.trade_cancelled,
});

/** A reserved purchase nobody completed in time: the buyer lost it, the seller's listing is on sale again. */
export const tradeExpiredNotice = (tradeId: string, listingId: string, userId: string, price: number): NewNotification => ({
  userId,
  auctionId: null,
  listingId,
  kind: 'trade_expired',
  dedupeKey: `trade_expired:${tradeId}:${userId}`,
  data: { price },
  sms: SMS.trade_expired,
});

/** The runner-up of an auction whose winner fell through is offered the item at their own highest bid. */
export const secondChanceNotice = (offer: { id: string; auctionId: string; listingId: string; buyerId: string; amount: number; expiresAt: Date }): NewNotification => ({
  userId: offer.buyerId,
  auctionId: offer.auctionId,
  listingId: offer.listingId,
  offerId: offer.id,
  kind: 'second_chance_offer',
  dedupeKey: `second_chance_offer:${offer.id}:${offer.buyerId}`,
  data: { price: offer.amount, expiresAt: offer.expiresAt.toISOString() },
  sms: SMS.second_chance_offer,
});

/**
 * A message to someone who has no stream open: one inbox item per conversation until they read
 * it (the key names the read mark they had), however many messages follow.
 */
export const newMessageNotice = (input: { conversationId: string; listingId: string | null; recipientId: string; readMark: Date | null; senderNickname: string }): NewNotification => ({
  userId: input.recipientId,
  auctionId: null,
  listingId: input.listingId,
  kind: 'new_message',
  dedupeKey: `new_message:${input.conversationId}:${input.recipientId}:${input.readMark?.getTime() ?? 0}`,
  data: { conversationId: input.conversationId, senderNickname: input.senderNickname },
  sms: SMS.new_message,
});
