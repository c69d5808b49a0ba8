import type { Schemas } from './api.ts';

const wonFormat = new Intl.NumberFormat('ko-KR');
export const won = (amount: number) => `${wonFormat.format(amount)}원`;

const dateFormat = new Intl.DateTimeFormat('ko-KR', { month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
export const dateTime = (iso: string) => dateFormat.format(new Date(iso));

/** "2일 3시간", "12분 05초", "마감" */
export function timeLeft(endsAt: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((Date.parse(endsAt) - now) / 1000));
  if (seconds === 0) return '마감';
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  if (days > 0) return `${days}일 ${hours}시간`;
  if (hours > 0) return `${hours}시간 ${minutes}분`;
  return `${minutes}분 ${rest}초`;
}

export const LISTING_STATUS: Record<Schemas['Listing']['status'], string> = {
  on_sale: '판매중',
  reserved: '예약중',
  sold: '거래완료',
  ended: '판매종료',
};

/** What an inbox item says, in a sentence. */
export function noticeText(item: Schemas['InboxItem']): string {
  const title = item.listingTitle ? `'${item.listingTitle}'` : '삭제된 상품';
  const price = item.data.price === undefined ? '' : ` (${won(item.data.price)})`;
  switch (item.kind) {
    case 'outbid': return `${title} 경매에서 더 높은 입찰이 나왔습니다${price}.`;
    case 'auction_won': return `${title} 경매에 낙찰되었습니다${price}.`;
    case 'auction_sold': return `${title} 경매가 낙찰로 끝났습니다${price}.`;
    case 'auction_unsold': return `${title} 경매가 유찰되었습니다.`;
    case 'auction_lost': return `${title} 경매에 낙찰되지 않았습니다.`;
    case 'auction_cancelled': return `${title} 경매가 취소되었습니다.`;
    case 'ending_soon': return `관심 상품 ${title} 경매가 곧 끝납니다.`;
    case 'trade_cancelled': return `${title} 거래가 취소되었습니다.`;
    case 'trade_expired': return `${title} 거래가 기한이 지나 취소되었습니다.`;
    case 'second_chance_offer': return `${title} 차순위 구매 제안이 왔습니다${price}.`;
    case 'new_message': return `${item.data.senderNickname ?? '상대방'}님이 ${title}에 대해 메시지를 보냈습니다.`;
    case 'offer_received': return `${title}에 가격 제안이 왔습니다${price}.`;
    case 'offer_accepted': return `${title} 가격 제안이 수락되었습니다${price}.`;
    case 'offer_declined': return `${title} 가격 제안이 거절되었습니다.`;
    case 'offer_countered': return `${title}에 판매자가 다른 가격을 제안했습니다${price}.`;
    case 'offer_withdrawn': return `${title} 가격 제안이 철회되었습니다.`;
    case 'offer_expired': return `${title} 가격 제안이 만료되었습니다.`;
    case 'review_prompt': return `${title} 거래 후기를 남겨 주세요.`;
    case 'keyword_match': return `키워드 '${item.data.keyword ?? ''}' 알림: ${title}`;
  }
}
