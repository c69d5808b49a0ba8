import { NOTIFICATION_KINDS, type NewNotification, type NotificationData, type NotificationKind } from './notification-kinds.ts';

/**
 * Every notice gavel sends: who receives it, its dedupe key, and how it is delivered, declared
 * once. A key names the kind, what it is about and the recipient, so a retried change cannot
 * write a second one. Every notice is a row, kept for the inbox. Per kind:
 * - `sms`: whether it also goes out by SMS. SMS go only where the recipient must act or has lost
 *   something.
 * - `interrupted`: what becomes of a send whose worker died between claiming the row and hearing
 *   back from SNS, when nobody can know whether the SMS left. `resend`: a rare duplicate is better
 *   than silence (the winner and the seller must act on their trade). `give-up`: at most once (an
 *   outbid or ending-soon SMS is stale within minutes, and the inbox has it anyway).
 */
export const DELIVERY: { readonly [K in NotificationKind]: { readonly sms: boolean; readonly interrupted: 'resend' | 'give-up' } } = {
  auction_won: { sms: true, interrupted: 'resend' },
  auction_sold: { sms: true, interrupted: 'resend' },
  auction_unsold: { sms: true, interrupted: 'give-up' },
  auction_lost: { sms: false, interrupted: 'give-up' },
  auction_cancelled: { sms: true, interrupted: 'give-up' },
  outbid: { sms: true, interrupted: 'give-up' },
  ending_soon: { sms: true, interrupted: 'give-up' },
  trade_cancelled: { sms: true, interrupted: 'give-up' },
  trade_expired: { sms: true, interrupted: 'give-up' },
  second_chance_offer: { sms: true, interrupted: 'give-up' },
  // A chat is read in the app; an SMS per message would be spam.
  new_message: { sms: false, interrupted: 'give-up' },
  // Price offers are haggling read in the app; only an accepted one, a trade to act on, is texted.
  offer_received: { sms: false, interrupted: 'give-up' },
  offer_accepted: { sms: true, interrupted: 'resend' },
  offer_declined: { sms: false, interrupted: 'give-up' },
  offer_countered: { sms: false, interrupted: 'give-up' },
  offer_withdrawn: { sms: false, interrupted: 'give-up' },
  offer_expired: { sms: false, interrupted: 'give-up' },
};

/** The kinds whose interrupted sends are sent again (see `DELIVERY`). */
export const RESENT_AFTER_INTERRUPTION: readonly NotificationKind[] = NOTIFICATION_KINDS.filter((kind) => DELIVERY[kind].interrupted === 'resend');

const aboutAuction = (kind: NotificationKind, auctionId: string, userId: string, data: NotificationData, suffix = ''): NewNotification => ({
  userId,
  auctionId,
  listingId: null,
  kind,
  dedupeKey: `${kind}:${auctionId}:${userId}${suffix}`,
  data,
  sms: DELIVERY[kind].sms,
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
  sms: DELIVERY.trade_cancelled.sms,
});

/** A reserved purchase nobody completed in time: the buyer lost it, the seller's listing is on sale again. */
export const tradeExpiredNotice = (tradeId: string, listingId: string, userId: string, price: number): NewNotification => ({
  userId,
  auctionId: null,
  listingId,
  kind: 'trade_expired',
  dedupeKey: `trade_expired:${tradeId}:${userId}`,
  data: { price },
  sms: DELIVERY.trade_expired.sms,
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
  sms: DELIVERY.second_chance_offer.sms,
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
  sms: DELIVERY.new_message.sms,
});

export type PriceOfferNoticeKind = 'offer_received' | 'offer_accepted' | 'offer_declined' | 'offer_countered' | 'offer_withdrawn' | 'offer_expired';

/**
 * One step of a price offer told to the other party (an expiry to both). One per kind, offer and
 * recipient: an offer is countered at most once, and every other step ends it.
 */
export const priceOfferNotice = (
  kind: PriceOfferNoticeKind,
  offer: { id: string; listingId: string },
  userId: string,
  data: NotificationData,
): NewNotification => ({
  userId,
  auctionId: null,
  listingId: offer.listingId,
  offerId: offer.id,
  kind,
  dedupeKey: `${kind}:${offer.id}:${userId}`,
  data,
  sms: DELIVERY[kind].sms,
});
