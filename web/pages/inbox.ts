import { api, problemText, type Schemas } from '../api.ts';
import { append, h } from '../dom.ts';
import { dateTime, noticeText } from '../format.ts';
import { onUserEvent } from '../live.ts';
import type { Cleanup } from '../main.ts';
import { session } from '../session.ts';
import { unread } from '../unread.ts';

/** The inbox (#/inbox): every notice, newest first; new ones appear at the top as they come. */
export function inboxPage(root: HTMLElement): Cleanup | void {
  if (!session.current()) {
    location.hash = '#/signin?next=/inbox';
    return;
  }
  const list = h('ul', { class: 'inbox', id: 'inbox' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, '더 보기');
  const message = h('p', { class: 'muted' });
  const readAll = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    try {
      await api('post', '/v1/me/notifications/read', { body: { all: true } });
      for (const item of list.querySelectorAll('.unread')) item.classList.remove('unread');
      unread.set(0);
    } catch (error) {
      message.textContent = problemText(error);
    }
  } }, '모두 읽음');

  const row = (item: Schemas['InboxItem']) => {
    const target = item.auctionId ? `#/auctions/${item.auctionId}` : item.data.conversationId ? `#/chats/${item.data.conversationId}` : item.listingId ? `#/listings/${item.listingId}` : null;
    const text = noticeText(item);
    return h('li', { class: item.readAt ? '' : 'unread', 'data-kind': item.kind },
      target ? h('a', { href: target }, text) : text,
      h('span', { class: 'muted' }, ` ${dateTime(item.createdAt)}`));
  };
  const load = async (cursor?: string) => {
    more.hidden = true;
    try {
      const page = await api('get', '/v1/me/notifications', { query: { cursor, limit: 20 } });
      append(list, ...page.items.map(row));
      message.textContent = list.childElementCount === 0 ? '아직 알림이 없습니다.' : '';
      more.hidden = page.nextCursor === null;
      more.onclick = () => void load(page.nextCursor ?? undefined);
    } catch (error) {
      message.textContent = problemText(error);
    }
  };
  append(root, h('h1', {}, '알림'), readAll, message, list, more);
  void load();
  return onUserEvent((event) => {
    if (event.type !== 'notification') return;
    message.textContent = '';
    list.prepend(row(event.notification));
  });
}
