export const NOTIFICATION_KINDS = ['auction_won', 'auction_sold', 'auction_unsold', 'outbid', 'ending_soon', 'trade_cancelled'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationData {
  price?: number;
  reason?: 'no-bids' | 'reserve-not-met';
  minutes?: number;
}

/** A notification row to write. It is about an auction, or about a listing without one. */
export interface NewNotification {
  userId: string;
  auctionId: string | null;
  listingId: string | null;
  kind: NotificationKind;
  /** Names (kind, subject, recipient[, window]); the unique index makes a second insert a no-op. */
  dedupeKey: string;
  data: NotificationData;
}
