import { api, problemText } from '../api.ts';
import { append, h, toast } from '../dom.ts';
import { dateTime, LISTING_STATUS, won } from '../format.ts';
import { session } from '../session.ts';

/** One listing (#/listings/<id>): photos, terms, the seller; to its auction, or a chat with the seller. */
export async function listingPage(root: HTMLElement, [id]: string[]): Promise<void> {
  let listing;
  try {
    listing = await api('get', '/v1/listings/{id}', { path: { id: id! } });
  } catch (error) {
    append(root, h('p', { class: 'error' }, problemText(error)));
    return;
  }
  const me = session.current()?.user;
  const photos = listing.photos.filter((photo) => photo.status === 'ready' && photo.url);
  const openChat = async () => {
    if (!me) {
      location.hash = '#/signin';
      return;
    }
    try {
      const conversation = await api('post', '/v1/listings/{id}/conversations', { path: { id: listing.id } });
      location.hash = `#/chats/${conversation.id}`;
    } catch (error) {
      toast(problemText(error), 'error');
    }
  };
  append(
    root,
    h('article', { class: 'listing' },
      photos.length > 0 ? h('div', { class: 'photos' }, ...photos.map((photo) => h('img', { src: photo.url!, alt: listing.title }))) : null,
      h('h1', { id: 'listing-title' }, listing.title),
      h('p', { class: 'price' }, listing.saleType === 'auction' ? `경매 · 현재가 ${won(listing.price)}` : won(listing.price)),
      h('p', { class: 'muted' }, `${LISTING_STATUS[listing.status]} · 판매자 ${listing.seller.nickname} · ${dateTime(listing.createdAt)} 등록`),
      h('p', { class: 'description' }, listing.description),
      h('div', { class: 'actions' },
        listing.auctionId ? h('a', { class: 'button', href: `#/auctions/${listing.auctionId}`, id: 'open-auction' }, '경매 참여하기') : null,
        me?.id !== listing.sellerId ? h('button', { type: 'button', class: 'secondary', onclick: () => void openChat() }, '판매자와 채팅하기') : null)),
  );
}
