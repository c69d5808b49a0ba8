import test from 'ava';
import { redisReady } from '../support/redis-keys.ts';
import { startTestApi, uniquePhone, type HttpResult, type TestApi } from '../support/api.ts';

/**
 * Limits that hold under a burst: each attempt is counted before the work it guards (the password
 * check, the password hash), in one atomic step, so N parallel requests get exactly the limit's
 * worth through and every other one a 429 with Retry-After. The app trusts one proxy hop, so each
 * request can come from an address of its own (the phone limit alone) or all from one.
 */
const PER_PHONE = 5;
const PER_ADDRESS = 20;
const SIGNUPS = 4;
const BURST = 120;
let app: TestApi;

test.before(async () => {
  app = await startTestApi('bursts', {
    TRUST_PROXY_HOPS: '1',
    LOGIN_FAILURES_PER_PHONE: String(PER_PHONE),
    LOGIN_FAILURES_PER_ADDRESS: String(PER_ADDRESS),
    LOGIN_WINDOW_S: '120',
    SIGNUPS_PER_ADDRESS: String(SIGNUPS),
    SIGNUP_WINDOW_S: '120',
    DATABASE_POOL_MAX: '20',
  });
  await redisReady(app.deps.redis);
});
test.after.always(async () => {
  await app?.close();
});

const from = (address: string) => ({ 'x-forwarded-for': address });
const tally = (results: HttpResult[]) => results.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});

function assertRefusals(t: any, results: HttpResult[], type: string) {
  for (const refused of results.filter((r) => r.status === 429)) {
    t.is(refused.body.type, `https://gavel.dev/problems/${type}`);
    t.regex(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  }
}

test.serial(`${BURST} parallel wrong logins for one phone from many addresses: exactly ${PER_PHONE} password checks`, async (t) => {
  const user = await app.signup();
  const results = await Promise.all(
    Array.from({ length: BURST }, (_, i) => app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: `wrong ${i}` }, headers: from(`198.18.${i >> 8}.${i & 255}`) })),
  );
  t.deepEqual(tally(results), { 401: PER_PHONE, 429: BURST - PER_PHONE });
  assertRefusals(t, results, 'login-rate-limited');
  const right = await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: user.password }, headers: from('198.18.9.9') });
  t.is(right.status, 429, 'the phone stays blocked for its window, even for the right password');
});

test.serial(`${BURST} parallel wrong logins from one address over many phones: exactly ${PER_ADDRESS} password checks`, async (t) => {
  const address = '198.19.0.1';
  const results = await Promise.all(
    Array.from({ length: BURST }, () => app.request('POST', '/v1/auth/login', { body: { phone: uniquePhone(), password: 'a wrong guess' }, headers: from(address) })),
  );
  t.deepEqual(tally(results), { 401: PER_ADDRESS, 429: BURST - PER_ADDRESS });
  assertRefusals(t, results, 'login-rate-limited');
  t.true(results.filter((r) => r.status === 429).every((r) => /address/.test(r.body.detail)));
});

test.serial('a refused attempt spends nothing, and a right password gives its attempt back', async (t) => {
  const user = await app.signup();
  const address = '198.19.0.2';
  // Many more successful logins than the address allows failures: successes are not failures.
  for (let i = 0; i < PER_ADDRESS + 5; i++) {
    t.is((await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: user.password }, headers: from(address) })).status, 200);
  }
  // Failures up to one short of the phone's limit, then a success clears them.
  for (let i = 0; i < PER_PHONE - 1; i++) {
    t.is((await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: 'wrong' }, headers: from(address) })).status, 401);
  }
  t.is((await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: user.password }, headers: from(address) })).status, 200);
  for (let i = 0; i < PER_PHONE; i++) {
    t.is((await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: 'wrong' }, headers: from(address) })).status, 401, `failure ${i + 1} after the reset`);
  }
});

test.serial(`40 parallel signups from one address: exactly ${SIGNUPS} accounts`, async (t) => {
  const address = '198.19.1.1';
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      app.request('POST', '/v1/auth/signup', { body: { phone: uniquePhone(), password: 'correct horse battery', nickname: `burst${i}` }, headers: from(address) }),
    ),
  );
  t.deepEqual(tally(results), { 201: SIGNUPS, 429: 40 - SIGNUPS });
  assertRefusals(t, results, 'signup-rate-limited');
  const elsewhere = await app.request('POST', '/v1/auth/signup', { body: { phone: uniquePhone(), password: 'correct horse battery', nickname: 'elsewhere' }, headers: from('198.19.1.2') });
  t.is(elsewhere.status, 201, 'another address still signs up');
});

test.serial('phone numbers and addresses reach Redis keys only as an HMAC under the server secret', async (t) => {
  const keys = await app.deps.redis.keys(`${app.deps.config.redisKeyPrefix}:rl:*`);
  t.true(keys.some((k) => k.includes(':rl:login-phone:')));
  t.true(keys.some((k) => k.includes(':rl:signup:')));
  t.false(keys.some((k) => /\+82|198\.1[89]\./.test(k)), 'no phone number or address in a key');
  const { createHash } = await import('node:crypto');
  const user = await app.signup({});
  await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: 'wrong' }, headers: from('198.19.2.1') });
  const unsalted = createHash('sha256').update(user.phone).digest('hex');
  const after = await app.deps.redis.keys(`${app.deps.config.redisKeyPrefix}:rl:*`);
  t.false(after.some((k) => k.includes(unsalted)), 'not a plain SHA-256 anyone can recompute over all numbers');
});
