export const NOTIFICATION_KINDS = ['auction_won', 'auction_sold', 'auction_unsold', 'outbid', 'ending_soon'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationData {
  price?: number;
  reason?: 'no-bids' | 'reserve-not-met';
  minutes?: number;
}

export interface NewNotification {
  userId: string;
  auctionId: string;
  kind: NotificationKind;
  /** Names (auction, recipient, kind[, window]); the unique index makes a second insert a no-op. */
  dedupeKey: string;
  data: NotificationData;
}
