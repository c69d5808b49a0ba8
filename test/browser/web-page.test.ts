import test from 'ava';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApi, uniquePhone, type TestApi } from '../support/api.ts';
import { collectErrors, launchChromium, phoneContext, screenshot, verifiedSignup } from '../support/browser.ts';
import { expectStatus } from '../support/listings.ts';
import { captureVerificationSms } from '../support/sms-capture.ts';

/**
 * The web page for people, in Chromium, as two people use it on their phones with
 * PHONE_VERIFICATION=required: both sign up through the page (the code read from the SMS), open the
 * same auction, and each sees the other's bids move the price, leader, bid count and end live; the
 * one outbid is told at once; then a chat with the seller and the inbox. A soft-close window wider
 * than the auction's remaining time makes every bid extend it, so the extension shows.
 */
let app: TestApi;
let browser: Browser;
let sms: ReturnType<typeof captureVerificationSms>;
const TITLE = '캠핑 의자 <b>새것</b> 경매';

test.before(async () => {
  app = await startTestApi('web_page', { PHONE_VERIFICATION: 'required', SOFT_CLOSE_WINDOW_S: '1800' });
  sms = captureVerificationSms(app);
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
  await app?.close();
});

interface Person {
  context: BrowserContext;
  page: Page;
  errors: string[];
  phone: string;
  nickname: string;
}

async function person(nickname: string): Promise<Person> {
  const context = await phoneContext(browser, app);
  const page = await context.newPage();
  return { context, page, errors: collectErrors(page), phone: uniquePhone(), nickname };
}

/** Sign-up through the page: phone, the SMS code, then nickname and password. */
async function signUpInPage(who: Person) {
  const { page } = who;
  await page.goto('/#/signup');
  await page.getByLabel('휴대폰 번호').fill(`0${who.phone.slice(3)}`); // typed the Korean way: 010-...
  await page.getByRole('button', { name: '인증번호 받기' }).click();
  await page.getByLabel('문자로 받은 인증번호 6자리').waitFor();
  await page.getByLabel('문자로 받은 인증번호 6자리').fill(sms.codeFor(who.phone));
  await page.getByRole('button', { name: '확인' }).click();
  await page.getByLabel('닉네임 (2~20자)').fill(who.nickname);
  await page.getByLabel('비밀번호').fill('correct horse battery');
  await page.getByRole('button', { name: '가입하기' }).click();
  await page.locator('#nav-me', { hasText: `${who.nickname}님` }).waitFor();
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
/** Waits until the element's text matches, without reloading: the page must change by itself. */
const until = (page: Page, selector: string, pattern: RegExp) => page.locator(selector, { hasText: pattern }).waitFor({ timeout: 15_000 });

test.serial('two people bid on one auction from their phones and each sees the other live; the outbid one is told; chat and inbox', async (t) => {
  const seller = await verifiedSignup(app, sms, uniquePhone(), '판매자');
  expectStatus(await app.request('POST', '/v1/listings', { token: seller.accessToken, body: { title: '원목 책상', description: '튼튼합니다', categoryId: 1, price: 30_000 } }), 201, 'another listing');
  const created = expectStatus(
    await app.request('POST', '/v1/listings', {
      token: seller.accessToken,
      body: { title: TITLE, description: '한 번 썼습니다.\n직거래 환영', categoryId: 1, auction: { startPrice: 10_000, endsAt: new Date(Date.now() + 10 * 60_000).toISOString() } },
    }),
    201,
    'list auction',
  ).body;
  const alice = await person('앨리스');
  const bob = await person('밥돌이');
  // Whatever happens, the last state of both screens is kept with the other screenshots.
  t.teardown(async () => {
    await screenshot(alice.page, 'last-alice').catch(() => undefined);
    await screenshot(bob.page, 'last-bob').catch(() => undefined);
  });

  // Browse and search: the listing is found by a word of its title, and shown as text, not markup.
  await alice.page.goto('/');
  await alice.page.getByLabel('검색어').fill('의자');
  await alice.page.getByRole('button', { name: '검색' }).click();
  await alice.page.locator('#listings .card', { hasText: '캠핑 의자' }).waitFor();
  t.is(await alice.page.locator('#listings .card').count(), 1, 'only the listing whose title has the word');
  t.false(await alice.page.getByRole('button', { name: '더 보기' }).isVisible(), 'one page of results: no "more" button');
  await screenshot(alice.page, 'search');
  await alice.page.locator('#listings .card', { hasText: '캠핑 의자' }).click();
  await alice.page.locator('#listing-title').waitFor();
  t.is(await text(alice.page, '#listing-title'), TITLE);
  t.is(await alice.page.locator('#listing-title b').count(), 0, 'the title is text, never HTML');
  await screenshot(alice.page, 'listing');
  const overflow = await alice.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  t.true(overflow <= 0, `nothing wider than a phone screen (${overflow}px over)`);

  await signUpInPage(alice);
  await signUpInPage(bob);
  await screenshot(bob.page, 'signed-up');

  for (const who of [alice, bob]) {
    await who.page.goto(`/#/auctions/${created.auctionId}`);
    await until(who.page, '#price', /10,000원/);
    // A mark on the window: if it is still there later, nothing was reloaded.
    await who.page.evaluate('window.notReloaded = true');
  }
  t.is(await text(bob.page, '#bid-count'), '0회');
  t.regex(await text(bob.page, '#countdown'), /^(9|10)분 \d\d초$/);

  // Alice bids 15,000 with a proxy maximum of 50,000; Bob's page follows by itself.
  await alice.page.getByLabel('입찰가 (원)').fill('15000');
  await alice.page.getByLabel('최대 입찰가 (자동 입찰, 원)').fill('50000');
  await alice.page.getByRole('button', { name: '입찰하기' }).click();
  await until(alice.page, '#my-status', /내 최대 입찰가 50,000원/);
  await until(bob.page, '#price', /^15,000원$/);
  await until(bob.page, '#bid-count', /^1회$/);
  t.regex(await text(bob.page, '#leader'), /^bidder [0-9A-Z]+$/, 'Bob sees a pseudonym, not who Alice is');
  t.is(await text(alice.page, '#leader'), '나 (최고 입찰자)');
  // The soft close: a bid within SOFT_CLOSE_WINDOW_S of the end moved it to 30 minutes from now.
  await until(bob.page, '#extended', /연장/);
  await until(bob.page, '#countdown', /^(29|30)분 \d\d초$/);
  await screenshot(bob.page, 'auction-after-first-bid');

  // Bob bids above the price but below Alice's maximum: her proxy answers, and both pages show it.
  await bob.page.getByLabel('입찰가 (원)').fill('20000');
  await bob.page.getByRole('button', { name: '입찰하기' }).click();
  await until(bob.page, '#bid-count', /^3회$/);
  const proxied = await text(bob.page, '#price');
  t.regex(proxied, /^2\d,\d00원$/, 'one increment over 20,000');
  await until(alice.page, '#price', new RegExp(`^${proxied}$`));
  t.is(await text(alice.page, '#leader'), '나 (최고 입찰자)');

  // Bob's maximum passes Alice's: she is outbid, and told so on the page she has open.
  await bob.page.getByLabel('입찰가 (원)').fill('');
  await bob.page.getByLabel('최대 입찰가 (자동 입찰, 원)').fill('80000');
  await bob.page.getByRole('button', { name: '입찰하기' }).click();
  await until(bob.page, '#leader', /^나 \(최고 입찰자\)$/);
  await until(alice.page, '#my-status.outbid', /더 높은 입찰/);
  await until(alice.page, '#price', /^5\d,\d00원$/);
  // ...and by her own stream: the outbid notice arrives as a toast and in the header's count.
  await until(alice.page, '#toasts', /더 높은 입찰이 나왔습니다/);
  await until(alice.page, '#unread-count', /^[1-9]/);
  await screenshot(alice.page, 'auction-outbid');
  for (const who of [alice, bob]) t.true(await who.page.evaluate<boolean>("'notReloaded' in window"), 'the page changed without a reload');

  // The inbox lists the outbid notice.
  await alice.page.goto('/#/inbox');
  await until(alice.page, '#inbox li[data-kind="outbid"]', /더 높은 입찰/);
  await screenshot(alice.page, 'inbox');

  // A chat with the seller: Alice writes, the seller's answer appears live.
  await alice.page.goto(`/#/listings/${created.id}`);
  await alice.page.getByRole('button', { name: '판매자와 채팅하기' }).click();
  await alice.page.getByLabel('메시지').fill('안녕하세요, 직거래 가능할까요?');
  await alice.page.getByRole('button', { name: '보내기' }).click();
  await until(alice.page, '#messages li.mine', /직거래 가능할까요/);
  const conversationId = alice.page.url().split('#/chats/')[1]!;
  expectStatus(await app.request('POST', `/v1/conversations/${conversationId}/messages`, { token: seller.accessToken, body: { text: '네, 토요일 어떠세요?' } }), 201, 'seller replies');
  await until(alice.page, '#messages li.theirs', /토요일 어떠세요/);
  await screenshot(alice.page, 'chat');

  t.deepEqual(alice.errors, [], 'no console errors (a CSP refusal would be one)');
  t.deepEqual(bob.errors, []);
});
