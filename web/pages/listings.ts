import type { operations } from '../api-types.ts';
import { api, problemText, type Schemas } from '../api.ts';
import { append, fieldsOf, h } from '../dom.ts';
import { LISTING_STATUS, won } from '../format.ts';

/** Browse and search (#/?q=...&saleType=...&sort=...): newest first, a page at a time. */
type Query = NonNullable<operations['searchListings']['parameters']['query']>;

const SALE_TYPES = { '': '전체', auction: '경매', fixed: '일반 판매' } as const;
const SORTS = { newest: '최신순', price_asc: '낮은 가격순', price_desc: '높은 가격순' } as const;

export function listingsPage(root: HTMLElement, _params: string[], search: URLSearchParams): void {
  const query: Query = {
    q: search.get('q') || undefined,
    saleType: (['fixed', 'auction'] as const).find((type) => type === search.get('saleType')),
    sort: (['newest', 'price_asc', 'price_desc'] as const).find((sort) => sort === search.get('sort')),
    status: search.get('all') ? undefined : 'on_sale',
    limit: 20,
  };
  const list = h('ul', { class: 'cards', id: 'listings' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, '더 보기');
  const message = h('p', { class: 'muted' });

  const form = h(
    'form',
    { class: 'search', role: 'search', onsubmit: (event: Event) => {
      event.preventDefault();
      const values = fieldsOf(form);
      const next = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== ''));
      location.hash = `#/?${next}`;
    } },
    h('input', { name: 'q', type: 'search', placeholder: '어떤 물건을 찾으세요?', value: query.q ?? '', 'aria-label': '검색어' }),
    h('select', { name: 'saleType', 'aria-label': '판매 방식' }, ...Object.entries(SALE_TYPES).map(([value, label]) => h('option', { value, selected: value === (query.saleType ?? '') }, label))),
    h('select', { name: 'sort', 'aria-label': '정렬' }, ...Object.entries(SORTS).map(([value, label]) => h('option', { value, selected: value === (query.sort ?? 'newest') }, label))),
    h('button', { type: 'submit' }, '검색'),
  );
  append(root, form, message, list, more);

  const load = async (cursor?: string) => {
    more.hidden = true;
    try {
      const page = await api('get', '/v1/listings', { query: { ...query, cursor } });
      append(list, ...page.items.map(card));
      if (list.childElementCount === 0) message.textContent = query.q ? `'${query.q}'에 맞는 상품이 없습니다.` : '아직 올라온 상품이 없습니다.';
      more.hidden = page.nextCursor === null;
      more.onclick = () => void load(page.nextCursor ?? undefined);
    } catch (error) {
      message.textContent = problemText(error);
    }
  };
  void load();
}

function card(listing: Schemas['Listing']): HTMLElement {
  const photo = listing.photos.find((p) => p.status === 'ready');
  return h(
    'li',
    { class: 'card' },
    h('a', { href: `#/listings/${listing.id}` },
      photo?.thumbnailUrl ? h('img', { src: photo.thumbnailUrl, alt: '', loading: 'lazy' }) : h('div', { class: 'no-photo' }, '사진 없음'),
      h('div', { class: 'card-body' },
        h('strong', { class: 'title' }, listing.title),
        h('span', { class: 'price' }, listing.saleType === 'auction' ? `현재가 ${won(listing.price)}` : won(listing.price)),
        h('span', { class: 'tags' },
          listing.saleType === 'auction' ? h('span', { class: 'tag auction' }, '경매') : null,
          listing.status !== 'on_sale' ? h('span', { class: 'tag' }, LISTING_STATUS[listing.status]) : null))),
  );
}
