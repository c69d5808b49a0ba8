import { api, problemText, type Schemas } from '../api.ts';
import { append, fieldsOf, h, replace, toast } from '../dom.ts';
import { dateTime, timeLeft, won } from '../format.ts';
import type { Cleanup } from '../main.ts';
import { session } from '../session.ts';

/**
 * An auction (#/auctions/<id>): price, leader, bid count and countdown, kept live by the auction's
 * event stream (EventSource reconnects by itself with Last-Event-ID, and the server replays what
 * was missed). A bid inside the soft-close window moves the end: the countdown follows and says so.
 */
type Live = Pick<Schemas['Auction'], 'currentPrice' | 'leaderId' | 'bidCount' | 'endsAt' | 'minimumBid' | 'status' | 'outcome'> & { myMaxAmount: number | null };

const OUTCOME = { sold: '낙찰', unsold: '유찰', cancelled: '취소' } as const;

export async function auctionPage(root: HTMLElement, [id]: string[]): Promise<Cleanup | void> {
  let auction: Schemas['Auction'];
  try {
    auction = await api('get', '/v1/auctions/{id}', { path: { id: id! } });
  } catch (error) {
    append(root, h('p', { class: 'error' }, problemText(error)));
    return;
  }
  const listing = await api('get', '/v1/listings/{id}', { path: { id: auction.listingId } }).catch(() => null);
  const me = session.current()?.user ?? null;
  const state: Live = { ...auction };
  let topBidder: string | null = null;

  const price = h('strong', { id: 'price', class: 'big' });
  const leader = h('span', { id: 'leader' });
  const bidCount = h('span', { id: 'bid-count' });
  const countdown = h('span', { id: 'countdown' });
  const endsAt = h('span', { id: 'ends-at', class: 'muted' });
  const extended = h('p', { id: 'extended', class: 'notice', hidden: true });
  const myStatus = h('p', { id: 'my-status', class: 'notice', hidden: true });
  const history = h('ol', { id: 'bid-history', class: 'history' });
  const amount = h('input', { name: 'amount', type: 'number', inputmode: 'numeric', min: '0', step: '1' });
  const maxAmount = h('input', { name: 'maxAmount', type: 'number', inputmode: 'numeric', min: '0', step: '1', placeholder: '선택' });
  const bidError = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, '입찰하기');

  const draw = () => {
    price.textContent = won(state.currentPrice);
    bidCount.textContent = `${state.bidCount}회`;
    leader.textContent = state.leaderId === null ? '아직 없음' : state.leaderId === me?.id ? '나 (최고 입찰자)' : (topBidder ?? '다른 입찰자');
    endsAt.textContent = `${dateTime(state.endsAt)} 마감`;
    tick();
    if (document.activeElement !== amount) amount.value = String(state.minimumBid);
    amount.min = String(state.minimumBid);
    const open = state.status === 'open';
    submit.disabled = !open || !me || me.id === auction.sellerId;
    if (state.myMaxAmount !== null) {
      myStatus.hidden = false;
      myStatus.textContent = `최고 입찰자입니다. 내 최대 입찰가 ${won(state.myMaxAmount)}까지 자동으로 입찰합니다.`;
    }
  };
  const tick = () => {
    if (state.status === 'closed') {
      countdown.textContent = `종료 (${state.outcome ? OUTCOME[state.outcome] : '마감'})`;
    } else if (state.status === 'scheduled') {
      countdown.textContent = `${dateTime(auction.startsAt)} 시작 예정`;
    } else {
      countdown.textContent = timeLeft(state.endsAt);
    }
  };
  const loadHistory = async () => {
    try {
      const page = await api('get', '/v1/auctions/{id}/bids', { path: { id: auction.id }, query: { limit: 10 } });
      // The newest bid is the leader's (an automatic proxy bid answers every challenge).
      topBidder = page.items[0]?.bidder ?? null;
      replace(history, ...page.items.map((bid) =>
        h('li', {}, h('span', {}, bid.bidderId === me?.id ? '나' : bid.bidder), ' ', h('strong', {}, won(bid.amount)), bid.automatic ? h('span', { class: 'tag' }, '자동') : null, h('span', { class: 'muted' }, ` ${dateTime(bid.createdAt)}`))));
      draw();
    } catch {
      // The history catches up at the next event.
    }
  };

  const apply = (next: Partial<Live>) => {
    const wasLeading = me !== null && state.leaderId === me.id;
    Object.assign(state, next);
    if (wasLeading && state.leaderId !== me?.id) {
      state.myMaxAmount = null;
      myStatus.hidden = false;
      myStatus.textContent = `더 높은 입찰이 들어왔습니다. 현재가 ${won(state.currentPrice)}, 다시 입찰해 보세요.`;
      myStatus.classList.add('outbid');
      toast('상위 입찰이 나왔습니다!');
    } else if (state.leaderId === me?.id) {
      myStatus.classList.remove('outbid');
    }
    draw();
  };

  const bid = async (event: Event) => {
    event.preventDefault();
    bidError.textContent = '';
    const values = fieldsOf(form);
    const body: Schemas['NewBid'] = {};
    if (values.amount) body.amount = Number(values.amount);
    if (values.maxAmount) body.maxAmount = Number(values.maxAmount);
    submit.disabled = true;
    try {
      // One key per press: a retried request (a lost answer) is not a second bid.
      const placed = await api('post', '/v1/auctions/{id}/bids', { path: { id: auction.id }, body, headers: { 'idempotency-key': crypto.randomUUID() } });
      apply({ ...placed.auction });
      maxAmount.value = '';
      toast(placed.leading ? '입찰했습니다. 지금 최고 입찰자입니다.' : '입찰했지만 다른 분의 최대 입찰가가 더 높습니다.');
      void loadHistory();
    } catch (error) {
      bidError.textContent = problemText(error);
    } finally {
      draw();
    }
  };
  const form = h('form', { class: 'bid', onsubmit: bid },
    h('label', {}, '입찰가 (원)', amount),
    h('label', {}, '최대 입찰가 (자동 입찰, 원)', maxAmount),
    h('p', { class: 'muted' }, '최대 입찰가를 적으면 다른 입찰이 들어올 때마다 그 금액까지 최소 단위로 자동 입찰합니다. 최대 입찰가는 나만 볼 수 있습니다.'),
    bidError,
    submit);

  append(root,
    h('article', { class: 'auction' },
      h('h1', {}, listing?.title ?? '경매'),
      listing ? h('p', {}, h('a', { href: `#/listings/${listing.id}` }, '상품 정보 보기')) : null,
      h('dl', { class: 'facts' },
        h('dt', {}, '현재가'), h('dd', {}, price),
        h('dt', {}, '최고 입찰자'), h('dd', {}, leader),
        h('dt', {}, '입찰 수'), h('dd', {}, bidCount),
        h('dt', {}, '남은 시간'), h('dd', {}, countdown, ' ', endsAt)),
      extended,
      myStatus,
      me ? (me.id === auction.sellerId ? h('p', { class: 'muted' }, '내가 올린 경매입니다.') : form) : h('p', {}, h('a', { href: `#/signin?next=/auctions/${auction.id}` }, '로그인'), '하고 입찰하세요.'),
      h('h2', {}, '입찰 기록'),
      history));
  draw();
  void loadHistory();

  const timer = setInterval(tick, 1000);
  const source = new EventSource(`/v1/auctions/${encodeURIComponent(auction.id)}/events`);
  const onEvent = (message: MessageEvent<string>) => {
    const event = JSON.parse(message.data) as Schemas['AuctionEvent'];
    if (event.extended) {
      extended.hidden = false;
      extended.textContent = `마감 직전 입찰로 마감이 ${dateTime(event.endsAt)}(으)로 연장되었습니다.`;
    }
    apply({ currentPrice: event.currentPrice, leaderId: event.leaderId, bidCount: event.bidCount, endsAt: event.endsAt, minimumBid: event.minimumBid, status: event.status, outcome: event.outcome });
    void loadHistory();
    // The last event: the server ends the stream, and would answer a reconnect with 204.
    if (event.type === 'closed') source.close();
  };
  source.addEventListener('bid', onEvent);
  source.addEventListener('closed', onEvent);
  return () => {
    clearInterval(timer);
    source.close();
  };
}
