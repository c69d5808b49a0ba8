import type { NewNotification, NotificationKind } from './notification-kinds.ts';

/**
 * SMS texts. They carry only what the recipient needs to act: a shortened item title and the
 * price, never the other party's name or number.
 */
const TITLE_MAX = 20;

export const shortTitle = (title: string): string => {
  const chars = [...title.trim()];
  return chars.length > TITLE_MAX ? `${chars.slice(0, TITLE_MAX - 1).join('')}…` : chars.join('');
};

export const won = (amount: number): string => `${amount.toLocaleString('en-US')}원`;

export function closeNotifications(input: {
  auctionId: string;
  sellerId: string;
  title: string;
  outcome: 'sold' | 'unsold';
  winnerId: string | null;
  price: number;
  unsoldReason: 'no-bids' | 'reserve-not-met' | null;
}): NewNotification[] {
  const title = shortTitle(input.title);
  const note = (userId: string, kind: NotificationKind, message: string): NewNotification => ({
    userId,
    auctionId: input.auctionId,
    kind,
    dedupeKey: `${kind}:${input.auctionId}:${userId}`,
    message: `[gavel] ${message}`,
  });
  if (input.outcome === 'sold' && input.winnerId) {
    return [
      note(input.winnerId, 'auction_won', `낙찰되었습니다: "${title}" ${won(input.price)}. 앱에서 거래를 진행하세요.`),
      note(input.sellerId, 'auction_sold', `경매가 끝났습니다: "${title}" ${won(input.price)}에 낙찰. 앱에서 거래를 진행하세요.`),
    ];
  }
  const why = input.unsoldReason === 'reserve-not-met' ? '최저 낙찰가에 도달하지 못해' : '입찰이 없어';
  return [note(input.sellerId, 'auction_unsold', `경매가 끝났습니다: "${title}" ${why} 유찰되었습니다.`)];
}

/** At most one outbid SMS per user and auction in each window, however often they are outbid. */
export const OUTBID_WINDOW_MS = 10 * 60_000;

export function outbidNotification(input: { auctionId: string; userId: string; title: string; price: number; now: Date }): NewNotification {
  const window = Math.floor(input.now.getTime() / OUTBID_WINDOW_MS);
  return {
    userId: input.userId,
    auctionId: input.auctionId,
    kind: 'outbid',
    dedupeKey: `outbid:${input.auctionId}:${input.userId}:${window}`,
    message: `[gavel] 더 높은 입찰이 있습니다: "${shortTitle(input.title)}" 현재 ${won(input.price)}.`,
  };
}

export function endingSoonNotification(input: { auctionId: string; userId: string; title: string; price: number; minutes: number }): NewNotification {
  return {
    userId: input.userId,
    auctionId: input.auctionId,
    kind: 'ending_soon',
    dedupeKey: `ending_soon:${input.auctionId}:${input.userId}`,
    message: `[gavel] 관심 경매가 ${input.minutes}분 안에 끝납니다: "${shortTitle(input.title)}" 현재 ${won(input.price)}.`,
  };
}
