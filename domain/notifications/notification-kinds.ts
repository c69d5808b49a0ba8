export const NOTIFICATION_KINDS = [
  'auction_won',
  'auction_sold',
  'auction_unsold',
  'auction_lost',
  'auction_cancelled',
  'outbid',
  'ending_soon',
  'trade_cancelled',
  'trade_expired',
  'second_chance_offer',
  'new_message',
  'offer_received',
  'offer_accepted',
  'offer_declined',
  'offer_countered',
  'offer_withdrawn',
  'offer_expired',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationData {
  price?: number;
  reason?: 'no-bids' | 'reserve-not-met';
  minutes?: number;
  /** ISO-8601: when an offer runs out. */
  expiresAt?: string;
  /** The chat a `new_message` notice is about, and who wrote. */
  conversationId?: string;
  senderNickname?: string;
  /** A price offer's trade, once accepted. */
  tradeId?: string;
  /** Why a price offer was declined: the seller said no, or accepted another buyer's offer. */
  declineReason?: 'seller' | 'another-offer-accepted';
}

/** A notification row just written: every one goes to its user's inbox and stream, some also by SMS. */
export interface WrittenNotice {
  id: string;
  sms: boolean;
}

/** A notification row to write. It is about an auction, an offer, or a listing. */
export interface NewNotification {
  userId: string;
  auctionId: string | null;
  listingId: string | null;
  offerId?: string | null;
  kind: NotificationKind;
  /** Names (kind, subject, recipient[, window]); the unique index makes a second insert a no-op. */
  dedupeKey: string;
  data: NotificationData;
  /** Whether it also goes out by SMS; every notice is kept for the inbox either way. */
  sms: boolean;
}
