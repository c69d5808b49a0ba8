import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TestApi } from './api.ts';
import { captureVerificationSms } from './sms-capture.ts';

/**
 * Browser tests drive Debian's Chromium (`.ci/run` installs it when missing) through
 * playwright-core, which downloads no browser of its own. Screenshots are test artifacts, in the
 * git-ignored reports/screenshots/.
 */
export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '../../reports/screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A phone-sized context (a Galaxy S-sized screen, Korean locale) on the test app. */
export async function phoneContext(browser: Browser, app: TestApi): Promise<BrowserContext> {
  return browser.newContext({ baseURL: app.baseUrl, viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
}

/** Every console error, uncaught exception and failed response of a page (a CSP refusal is a console error). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    // A failed response is reported below, with its URL.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs up over the API with PHONE_VERIFICATION=required, reading the code from the captured SMS. */
export async function verifiedSignup(app: TestApi, sms: ReturnType<typeof captureVerificationSms>, phone: string, nickname: string, password = 'correct horse battery') {
  const started = await app.request('POST', '/v1/auth/phone-verifications', { body: { phone } });
  if (started.status !== 201) throw new Error(`verification: ${started.status} ${JSON.stringify(started.body)}`);
  const confirmed = await app.request('POST', `/v1/auth/phone-verifications/${started.body.id}/confirm`, { body: { code: sms.codeFor(phone) } });
  if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  const res = await app.request('POST', '/v1/auth/signup', { body: { phone, password, nickname, verificationToken: confirmed.body.verificationToken } });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id as string, phone, password, accessToken: res.body.accessToken as string, refreshToken: res.body.refreshToken as string };
}
