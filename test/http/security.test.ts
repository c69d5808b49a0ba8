import test from 'ava';
import { Writable } from 'node:stream';
import { createLogger } from '../../infra/logger.ts';
import { startTestApi, uniquePhone, type TestApi } from '../support/api.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('security', { LOGIN_FAILURES_PER_PHONE: '3', LOGIN_FAILURES_PER_ADDRESS: '8', LOGIN_WINDOW_S: '60', REQUEST_TIMEOUT_MS: '1000' });
});
test.after.always(async () => {
  await app?.close();
});

test.serial('failed logins are throttled per phone with 429 and Retry-After; another phone still works', async (t) => {
  const user = await app.signup();
  for (let i = 0; i < 3; i++) {
    t.is((await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: 'wrong password' } })).status, 401);
  }
  const blocked = await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: user.password } });
  t.is(blocked.status, 429, 'even the right password waits out the block');
  t.is(blocked.body.type, 'https://gavel.dev/problems/login-rate-limited');
  t.true(Number(blocked.headers.get('retry-after')) > 0);
  const other = await app.signup();
  t.is((await app.request('POST', '/v1/auth/login', { body: { phone: other.phone, password: other.password } })).status, 200);
});

test.serial('failed logins are throttled per address across phones', async (t) => {
  // 3 failures were spent above from this address; 5 more on fresh phones reach the limit of 8.
  for (let i = 0; i < 5; i++) {
    t.is((await app.request('POST', '/v1/auth/login', { body: { phone: uniquePhone(), password: 'guess' } })).status, 401);
  }
  const user = await app.signup();
  const blocked = await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: user.password } });
  t.is(blocked.status, 429);
  t.regex(blocked.body.detail, /address/);
  // Keys are hashed: no phone number is written into Redis.
  const keys = await app.deps.redis.keys(`${app.deps.config.redisKeyPrefix}:rl:*`);
  t.true(keys.length > 0);
  t.false(keys.some((k) => k.includes('+82')));
});

test('a NUL character anywhere in the input is a 400, never a 500', async (t) => {
  const res = await app.request('POST', '/v1/auth/signup', { body: { phone: uniquePhone(), password: 'correct horse battery', nickname: 'nul\u0000name' } });
  t.is(res.status, 400);
  t.is(res.body.errors[0].path, 'nickname');
  const query = await app.request('GET', '/v1/listings?q=%00');
  t.is(query.status, 400);
});

test('passwords, tokens and phone numbers never reach the logs', async (t) => {
  // A second app whose logger (same redaction rules as production) writes into memory, at trace level.
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const logger = createLogger('trace', {}, sink);
  const logged = await startTestApi('securitylogs', {}, { logger });
  const phone = uniquePhone();
  try {
    const signup = await logged.request('POST', '/v1/auth/signup', { body: { phone, password: 'a very secret pass', nickname: '로그확인' } });
    t.is(signup.status, 201);
    await logged.request('POST', '/v1/auth/login', { body: { phone, password: 'wrong secret pass' } });
    await logged.request('POST', '/v1/auth/refresh', { body: { refreshToken: signup.body.refreshToken } });
    await logged.request('GET', '/v1/me', { token: signup.body.accessToken });
    await logged.request('GET', '/v1/me', { token: 'garbage' });
    const text = lines.join('');
    t.true(lines.length >= 5, 'the requests were logged');
    for (const secret of [phone, phone.slice(1), 'a very secret pass', 'wrong secret pass', signup.body.refreshToken, signup.body.accessToken]) {
      t.false(text.includes(secret), `leaked: ${secret.slice(0, 12)}…`);
    }
  } finally {
    await logged.close();
  }
});
