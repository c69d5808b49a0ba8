import { api } from './api.ts';
import { h, replace, toast } from './dom.ts';
import { noticeText } from './format.ts';
import { onUserEvent, startUserStream, stopUserStream } from './live.ts';
import { auctionPage } from './pages/auction.ts';
import { chatPage, chatsPage } from './pages/chat.ts';
import { inboxPage } from './pages/inbox.ts';
import { listingPage } from './pages/listing.ts';
import { listingsPage } from './pages/listings.ts';
import { signInPage, signUpPage } from './pages/account.ts';
import { session } from './session.ts';
import { unread } from './unread.ts';

/**
 * The page's shell: a hash router (#/auctions/<id>...), the header, and the user's own stream,
 * which tells of an outbid or a new message on whatever page is open. A page draws into `main`
 * and returns what stops its timers and streams when another page replaces it.
 */
export type Cleanup = () => void;
export type Page = (root: HTMLElement, params: string[], query: URLSearchParams) => Cleanup | void | Promise<Cleanup | void>;

const ROUTES: [RegExp, Page][] = [
  [/^\/$/, listingsPage],
  [/^\/listings\/([\w-]+)$/, listingPage],
  [/^\/auctions\/([\w-]+)$/, auctionPage],
  [/^\/signup$/, signUpPage],
  [/^\/signin$/, signInPage],
  [/^\/inbox$/, inboxPage],
  [/^\/chats$/, chatsPage],
  [/^\/chats\/([\w-]+)$/, chatPage],
];

const root = document.getElementById('page')!;
const nav = document.getElementById('nav')!;
let cleanup: Cleanup | void = undefined;

async function route(): Promise<void> {
  cleanup?.();
  cleanup = undefined;
  const [path = '/', search = ''] = location.hash.replace(/^#/, '').split('?');
  const match = ROUTES.map(([pattern, page]) => [pattern.exec(path || '/'), page] as const).find(([found]) => found);
  root.replaceChildren();
  window.scrollTo(0, 0);
  if (!match) {
    replace(root, h('p', {}, '페이지를 찾을 수 없습니다. '), h('a', { href: '#/' }, '처음으로'));
    return;
  }
  const [found, page] = match;
  cleanup = await page(root, found!.slice(1), new URLSearchParams(search));
}

function drawNav(): void {
  const me = session.current()?.user;
  replace(
    nav,
    me
      ? h('span', {},
          h('a', { href: '#/inbox', id: 'nav-inbox' }, '알림', unread.get() > 0 ? h('span', { class: 'badge', id: 'unread-count' }, String(unread.get())) : null),
          h('a', { href: '#/chats' }, '채팅'),
          h('span', { class: 'me', id: 'nav-me' }, `${me.nickname}님`),
          h('button', { type: 'button', class: 'link', onclick: () => void signOut() }, '로그아웃'))
      : h('span', {}, h('a', { href: '#/signin' }, '로그인'), h('a', { href: '#/signup' }, '회원가입')),
  );
}

async function refreshUnread(): Promise<void> {
  if (!session.current()) return unread.set(0);
  try {
    unread.set((await api('get', '/v1/me/notifications/unread-count', {})).unreadCount);
  } catch {
    // The badge waits for the next notice.
  }
}

async function signOut(): Promise<void> {
  const signedIn = session.current();
  try {
    if (signedIn) await api('post', '/v1/auth/logout', { body: { refreshToken: signedIn.refreshToken } });
  } catch {
    // Signed out here in any case.
  }
  session.end();
  location.hash = '#/';
}

onUserEvent((event) => {
  if (event.type !== 'notification') return;
  unread.set(unread.get() + 1);
  // The chat page shows messages itself; every other notice is worth a toast.
  if (event.notification.kind !== 'new_message' || !location.hash.startsWith('#/chats/')) toast(noticeText(event.notification));
});

session.onChange(() => {
  if (session.current()) startUserStream();
  else stopUserStream();
  void refreshUnread();
});

unread.onChange(drawNav);
window.addEventListener('hashchange', () => void route());
if (session.current()) startUserStream();
drawNav();
void refreshUnread();
void route();
