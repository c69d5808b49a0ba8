import { api, problemText, type Schemas } from '../api.ts';
import { append, fieldsOf, h } from '../dom.ts';
import { dateTime } from '../format.ts';
import { onUserEvent } from '../live.ts';
import type { Cleanup } from '../main.ts';
import { session } from '../session.ts';

/** My conversations (#/chats): the last message and what I have not read. */
export async function chatsPage(root: HTMLElement): Promise<void> {
  if (!session.current()) {
    location.hash = '#/signin?next=/chats';
    return;
  }
  append(root, h('h1', {}, '채팅'));
  try {
    const page = await api('get', '/v1/me/conversations', { query: { limit: 50 } });
    if (page.items.length === 0) append(root, h('p', { class: 'muted' }, '아직 대화가 없습니다. 상품 페이지에서 판매자와 채팅을 시작할 수 있습니다.'));
    append(root, h('ul', { class: 'inbox', id: 'conversations' }, ...page.items.map((conversation) =>
      h('li', { class: conversation.unreadCount > 0 ? 'unread' : '' },
        h('a', { href: `#/chats/${conversation.id}` }, conversation.listingTitle),
        conversation.unreadCount > 0 ? h('span', { class: 'badge' }, String(conversation.unreadCount)) : null,
        conversation.lastMessage ? h('p', { class: 'muted' }, conversation.lastMessage.text) : null))));
  } catch (error) {
    append(root, h('p', { class: 'error' }, problemText(error)));
  }
}

/** One conversation (#/chats/<id>): messages oldest first, new ones live from my stream. */
export async function chatPage(root: HTMLElement, [id]: string[]): Promise<Cleanup | void> {
  const me = session.current()?.user;
  if (!me) {
    location.hash = `#/signin?next=/chats/${id}`;
    return;
  }
  const conversationId = id!;
  const list = h('ol', { class: 'messages', id: 'messages' });
  const error = h('p', { class: 'error', role: 'alert' });
  const shown = new Set<string>();
  const show = (message: Schemas['Message']) => {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    list.append(h('li', { class: message.senderId === me.id ? 'mine' : 'theirs' }, h('span', { class: 'text' }, message.text), h('span', { class: 'muted' }, dateTime(message.createdAt))));
    list.lastElementChild?.scrollIntoView({ block: 'end' });
  };
  const markRead = () => api('post', '/v1/conversations/{id}/read', { path: { id: conversationId } }).catch(() => undefined);

  const form = h('form', { class: 'send', id: 'send-message', onsubmit: async (event: Event) => {
    event.preventDefault();
    const text = fieldsOf(form).text ?? '';
    if (!text) return;
    error.textContent = '';
    try {
      show(await api('post', '/v1/conversations/{id}/messages', { path: { id: conversationId }, body: { text } }));
      form.reset();
    } catch (e) {
      error.textContent = problemText(e);
    }
  } },
  h('textarea', { name: 'text', rows: 2, maxlength: 1000, required: true, placeholder: '메시지를 입력하세요', 'aria-label': '메시지' }),
  h('button', { type: 'submit' }, '보내기'));

  append(root, h('h1', { id: 'chat-title' }, '채팅'), list, error, form);
  try {
    const conversation = (await api('get', '/v1/me/conversations', { query: { limit: 100 } })).items.find((c) => c.id === conversationId);
    if (conversation) root.querySelector('#chat-title')!.textContent = conversation.listingTitle;
    const page = await api('get', '/v1/conversations/{id}/messages', { path: { id: conversationId }, query: { limit: 50 } });
    for (const message of page.items.reverse()) show(message);
    void markRead();
  } catch (e) {
    error.textContent = problemText(e);
  }
  return onUserEvent((event) => {
    if (event.type !== 'message' || event.message.conversationId !== conversationId) return;
    show(event.message);
    void markRead();
  });
}
