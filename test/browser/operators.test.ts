import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import type { Browser } from 'playwright-core';
import { startTestApi, uniquePhone, type TestApi } from '../support/api.ts';
import { collectErrors, launchChromium, phoneContext, screenshot, verifiedSignup } from '../support/browser.ts';
import { captureVerificationSms } from '../support/sms-capture.ts';

/**
 * Operators in a browser: sign in at /admin/login, use Bull Board, log out. Bull Board's
 * state-changing calls ride on the session cookie, so they must come from this service's own
 * pages: a page on another port of the same host is the same *site* (SameSite=Strict lets the
 * cookie go with its form), and only the Origin check stops its form from adding a job.
 */
let app: TestApi;
let browser: Browser;
let foreign: Server;
let foreignUrl: string;
const QUEUE = 'maintenance';

test.before(async () => {
  app = await startTestApi('web_operators', { PHONE_VERIFICATION: 'required' });
  browser = await launchChromium();
  // Another site's page: a form that posts to the board's "add a job" call as soon as it loads.
  foreign = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><form id="f" method="post" action="${app.baseUrl}/admin/queues/api/queues/${QUEUE}/add">
      <input name="name" value="planted-by-another-site"></form><script>document.getElementById('f').submit()</script>`);
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`;
});
test.after.always(async () => {
  await browser?.close();
  await new Promise((resolve) => foreign?.close(resolve));
  await app?.close();
});

const jobNames = async () => (await app.deps.jobs.queues[QUEUE].getJobs(['waiting', 'delayed', 'prioritized'])).map((job) => job.name);

test.serial('an admin signs in at /admin/login, sees Bull Board, is refused a call from another site\'s page, and logs out', async (t) => {
  const sms = captureVerificationSms(app);
  const admin = await verifiedSignup(app, sms, uniquePhone(), '운영자');
  await app.db.orm.em.fork().execute(`update users set role = 'admin' where id = ?`, [admin.id]);
  // The API keeps copies of callers' roles and forgets them on PostgreSQL's NOTIFY: wait for it.
  await app.deps.callerAccounts.settled();
  const context = await phoneContext(browser, app);
  const page = await context.newPage();
  const errors = collectErrors(page);
  t.teardown(() => screenshot(page, 'operators-last').catch(() => undefined));

  // The board without a session sends the browser to the form.
  await page.goto('/admin/queues');
  t.is(new URL(page.url()).pathname, '/admin/login');
  await page.getByLabel(/전화번호/).fill(admin.phone);
  await page.getByLabel(/비밀번호/).fill(admin.password);
  await page.getByRole('button', { name: '로그인' }).click();
  await page.waitForURL('**/admin/queues');
  // Bull Board's own UI (its scripts under the service's CSP) lists the queues.
  await page.getByText(QUEUE, { exact: true }).first().waitFor({ timeout: 15_000 });
  await screenshot(page, 'operators-board');
  const cookie = (await context.cookies()).find((c) => c.name === 'gavel_admin');
  t.truthy(cookie);
  t.true(cookie!.httpOnly);
  t.is(cookie!.sameSite, 'Strict');

  // From the board's own page, a state-changing call carries its Origin and is accepted.
  const own = await page.evaluate(`fetch('/admin/queues/api/queues/${QUEUE}/add', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'added-by-operator', data: {} }) }).then((r) => r.status)`);
  t.is(own, 200);
  t.true((await jobNames()).includes('added-by-operator'));

  // Another site's page posts to the same call in this browser, the cookie going with it: refused.
  const foreignPage = await context.newPage();
  const refused = foreignPage.waitForResponse((response) => response.url().includes(`/api/queues/${QUEUE}/add`));
  await foreignPage.goto(foreignUrl);
  const answer = await refused;
  t.is(answer.status(), 403);
  t.is(answer.request().headers().origin, foreignUrl.replace(/\/$/, ''), 'the browser named the other site as Origin');
  t.false((await jobNames()).includes('planted-by-another-site'));
  await foreignPage.close();

  // Log out from the form's button: the cookie is gone and the board sends the browser back to sign in.
  await page.goto('/admin/login');
  await page.getByRole('button', { name: /로그아웃/ }).click();
  await page.waitForURL('**/admin/login');
  t.falsy((await context.cookies()).find((c) => c.name === 'gavel_admin'));
  await page.goto('/admin/queues');
  t.is(new URL(page.url()).pathname, '/admin/login');
  // The token the cookie held belonged to a login that is closed now: replayed, it opens nothing.
  const replayed = await fetch(`${app.baseUrl}/admin/queues/api/queues`, { headers: { cookie: `gavel_admin=${cookie!.value}` } });
  t.is(replayed.status, 401);
  await screenshot(page, 'operators-logged-out');

  t.deepEqual(errors.filter((e) => !e.startsWith('403 ')), [], 'no console errors on the operators\' pages');
});
