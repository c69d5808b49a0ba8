import type { NotificationData, NotificationKind } from './notification-kinds.ts';

/**
 * SMS texts. They carry only what the recipient needs to act: a shortened item title and the
 * price, never the other party's name or number.
 *
 * The title is the seller's text going out under the gavel sender name, so nothing in it may read
 * as a link or reorder the message: it is NFKC-normalised (full-width `．` becomes `.`), loses
 * control, format (bidi overrides, zero-width) and separator characters, loses URL schemes, has
 * every dot that could join a host name broken into a space (`evil.com` → `evil com`; a dot
 * between two digits, as in `3.5`, stays unless it makes an IP address), and is cut to
 * `TITLE_MAX` characters (whole graphemes).
 */
const TITLE_MAX = 20;

/** Dots and their look-alikes after NFKC (ideographic and half-width ideographic full stops). */
const DOT = /[.\u3002\uFF61]/u;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu;
const SCHEME = /[a-z0-9+.-]*:\/\//giu;
const DOTTED_NUMBERS = /\d+(?:[.\u3002\uFF61]\d+){3,}/gu;

const graphemes = new Intl.Segmenter('ko', { granularity: 'grapheme' });

export function smsSafeTitle(title: string): string {
  let text = title.normalize('NFKC').replace(INVISIBLE, ' ');
  text = text.replace(SCHEME, ' ');
  text = text.replace(DOTTED_NUMBERS, (numbers) => numbers.replace(new RegExp(DOT.source, 'gu'), ' '));
  // A dot with something on both sides joins labels of a host name, except between two digits.
  text = text.replace(/(?<=\S)[.\u3002\uFF61]+(?=\S)/gu, (dots, offset: number, whole: string) => {
    const before = whole[offset - 1] ?? '';
    const after = whole[offset + dots.length] ?? '';
    return dots.length === 1 && /\d/.test(before) && /\d/.test(after) ? dots : ' ';
  });
  return text.replace(/\s+/gu, ' ').trim();
}

export const shortTitle = (title: string): string => {
  const chars = [...graphemes.segment(smsSafeTitle(title))].map((g) => g.segment);
  // No dot may meet the ellipsis (`evil.…` would join them).
  return chars.length > TITLE_MAX ? `${chars.slice(0, TITLE_MAX - 1).join('').replace(/[\s.\u3002\uFF61]+$/u, '')}…` : chars.join('');
};

export const won = (amount: number | undefined): string => `${(amount ?? 0).toLocaleString('en-US')}원`;

export function renderSms(kind: NotificationKind, title: string, data: NotificationData): string {
  const item = `"${shortTitle(title)}"`;
  switch (kind) {
    case 'auction_won':
      return `[gavel] 낙찰되었습니다: ${item} ${won(data.price)}. 앱에서 거래를 진행하세요.`;
    case 'auction_sold':
      return `[gavel] 경매 종료: ${item} ${won(data.price)}에 낙찰되었습니다. 앱에서 거래를 진행하세요.`;
    case 'auction_unsold':
      return `[gavel] 경매 종료: ${item} ${data.reason === 'reserve-not-met' ? '최저 낙찰가에 도달하지 못해' : '입찰이 없어'} 유찰되었습니다.`;
    case 'outbid':
      return `[gavel] 더 높은 입찰이 있습니다: ${item} 현재 ${won(data.price)}.`;
    case 'ending_soon':
      return `[gavel] 관심 경매가 ${data.minutes ?? 10}분 안에 끝납니다: ${item} 현재 ${won(data.price)}.`;
    case 'auction_lost':
      return `[gavel] 경매 종료: ${item} ${data.price ? `${won(data.price)}에 다른 분께 낙찰되었습니다.` : '낙찰되지 않았습니다.'}`;
    case 'auction_cancelled':
      return `[gavel] 판매자가 경매를 취소했습니다: ${item}.`;
    case 'second_chance_offer':
      return `[gavel] 차순위 구매 제안: ${item} ${won(data.price)}. 앱에서 수락하세요.`;
    case 'trade_cancelled':
      return `[gavel] 거래가 취소되었습니다: ${item} ${won(data.price)}.`;
    case 'new_message':
      // Inbox only (notices.ts); the text names no sender, so it cannot carry someone's words by SMS.
      return `[gavel] 새 채팅 메시지가 있습니다: ${item}.`;
    case 'review_prompt':
      // Inbox only (notices.ts).
      return `[gavel] 거래가 완료되었습니다: ${item}. 거래 후기를 남겨 주세요.`;
    case 'keyword_match':
      // Inbox only (notices.ts).
      return `[gavel] 키워드 알림${data.keyword ? ` "${data.keyword}"` : ''}: ${item} 새 상품이 올라왔습니다.`;
    case 'trade_expired':
      return `[gavel] 기한 안에 완료되지 않아 거래가 취소되었습니다: ${item} ${won(data.price)}. 상품은 다시 판매중입니다.`;
    case 'offer_accepted':
      return `[gavel] 가격 제안이 수락되었습니다: ${item} ${won(data.price)}. 앱에서 거래를 진행하세요.`;
    // The other offer notices are inbox only (notices.ts); these texts are what the inbox would say.
    case 'offer_received':
      return `[gavel] 새 가격 제안: ${item} ${won(data.price)}.`;
    case 'offer_declined':
      return `[gavel] 가격 제안이 거절되었습니다: ${item} ${won(data.price)}.`;
    case 'offer_countered':
      return `[gavel] 판매자가 ${won(data.price)}을 제안했습니다: ${item}.`;
    case 'offer_withdrawn':
      return `[gavel] 구매자가 가격 제안을 철회했습니다: ${item} ${won(data.price)}.`;
    case 'offer_expired':
      return `[gavel] 가격 제안이 기한을 넘겨 만료되었습니다: ${item} ${won(data.price)}.`;
  }
}
