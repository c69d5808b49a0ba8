import test from 'ava';
import nock from 'nock';
import { purgeEndedPhoneVerifications } from '../../domain/accounts/phone-verification.ts';
import { startTestApi, uniquePhone, type TestApi } from '../support/api.ts';
import { assertProblem } from '../support/problems.ts';
import { SnsScript, snsError } from '../support/sns.ts';
import { FAKE_AWS_ENV } from '../support/workers.ts';

/**
 * Phone verification as a client lives it, with PHONE_VERIFICATION=required: the code is read
 * where only the phone's owner could read it, from the SMS the real SNS adapter published (nock
 * stands in for SNS). The database holds only a hash of it.
 */
const SNS = 'https://sns.test.local';
Object.assign(process.env, FAKE_AWS_ENV);

const sns = new SnsScript();
const VERIFY = { PHONE_VERIFICATION: 'required', SNS_ENDPOINT: SNS, SMS_SENDER: 'sns' };
let app: TestApi;

test.before(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1'));
  nock(SNS)
    .persist()
    .post('/')
    .reply(async (request: Request) => {
      const reply = sns.handle(await request.text());
      return [reply.status, reply.body, { 'content-type': 'text/xml' }];
    });
  app = await startTestApi('phone_verify', { ...VERIFY, PHONE_VERIFICATION_SENDS_PER_PHONE: '3', PHONE_VERIFICATION_SENDS_PER_ADDRESS: '1000' });
  await untilReady(app);
});

/** Until Redis answers, limits fall back to a per-process count (infra/rate-limiter.ts); the bursts test Redis's. */
async function untilReady(target: TestApi) {
  const deadline = Date.now() + 5000;
  while ((await target.request('GET', '/health/ready')).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

test.after.always(async () => {
  await app?.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

/** The code in the last SMS that reached `phone`. */
function codeSentTo(phone: string): string {
  const message = sns.to(phone).at(-1)?.message ?? '';
  const code = /\b(\d{6})\b/.exec(message)?.[1];
  if (!code) throw new Error(`no code in the SMS to ${phone}: ${message}`);
  return code;
}

const start = (phone: string, target = app) => target.request('POST', '/v1/auth/phone-verifications', { body: { phone } });
const confirm = (id: string, code: string) => app.request('POST', `/v1/auth/phone-verifications/${id}/confirm`, { body: { code } });
const signup = (phone: string, verificationToken?: string) =>
  app.request('POST', '/v1/auth/signup', { body: { phone, password: 'correct horse battery', nickname: '인증회원', ...(verificationToken ? { verificationToken } : {}) } });
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

async function verifiedToken(phone: string): Promise<string> {
  const started = await start(phone);
  if (started.status !== 201) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
  const res = await confirm(started.body.id, codeSentTo(phone));
  if (res.status !== 200) throw new Error(`confirm: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.verificationToken;
}

test('a code goes to the phone by SMS, is stored only hashed, and the right one is traded for a token that signs up', async (t) => {
  const phone = uniquePhone();
  const started = await start(phone);
  t.is(started.status, 201);
  t.regex(started.body.id, /^[0-9a-f-]{36}$/);
  const ttlMs = Date.parse(started.body.expiresAt) - Date.now();
  t.true(ttlMs > 250_000 && ttlMs <= 301_000, `expires in about PHONE_VERIFICATION_CODE_TTL_S (300 s): ${ttlMs} ms`);

  const [sms] = sns.to(phone);
  t.is(sns.to(phone).length, 1);
  t.is(sms!.attributes['AWS.SNS.SMS.SMSType'], 'Transactional');
  const code = codeSentTo(phone);
  const rows = await app.db.orm.em.fork().execute('select * from phone_verifications where id = ?', [started.body.id]);
  t.is(rows.length, 1);
  t.false(JSON.stringify(rows).includes(code), 'the code is not stored in the clear');

  const right = await confirm(started.body.id, code);
  t.is(right.status, 200);
  t.true(right.body.verificationToken.length >= 32);
  t.false(JSON.stringify(await app.db.orm.em.fork().execute('select * from phone_verifications where id = ?', [started.body.id])).includes(right.body.verificationToken));

  const created = await signup(phone, right.body.verificationToken);
  t.is(created.status, 201);
  t.is(created.body.user.phone, phone);
});

test('signup without a verification token, or with one that is spent or for another phone, is refused and creates nothing', async (t) => {
  const phone = uniquePhone();
  assertProblem(t, await signup(phone), 400, 'verification-token-required');
  assertProblem(t, await signup(phone, 'not-a-token-at-all'), 400, 'verification-token-invalid');

  const token = await verifiedToken(phone);
  const other = uniquePhone();
  assertProblem(t, await signup(other, token), 400, 'verification-token-invalid', 'a token proves its own phone only');
  t.is((await signup(phone, token)).status, 201);

  // Spent: the account exists, but a spent token is refused before the phone is even looked at.
  const third = uniquePhone();
  assertProblem(t, await signup(third, token), 400, 'verification-token-invalid');
  const users = await app.db.orm.em.fork().execute('select phone from users where phone in (?, ?)', [other, third]);
  t.deepEqual(users, []);
});

test('two signups racing with one token: exactly one account', async (t) => {
  const phone = uniquePhone();
  const token = await verifiedToken(phone);
  const results = await Promise.all(Array.from({ length: 5 }, () => signup(phone, token)));
  t.is(results.filter((r) => r.status === 201).length, 1);
  t.true(results.every((r) => r.status === 201 || (r.status >= 400 && r.status < 500)));
});

test('wrong codes are 400 with the tries left; a burst of wrong codes judges at most PHONE_VERIFICATION_MAX_ATTEMPTS, and then even the right code is refused', async (t) => {
  const phone = uniquePhone();
  const started = await start(phone);
  const code = codeSentTo(phone);
  const first = await confirm(started.body.id, wrong(code));
  assertProblem(t, first, 400, 'verification-code-wrong');
  t.is(first.body.attemptsLeft, 4);

  const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => confirm(started.body.id, String((Number(code) + 2 + i) % 1_000_000).padStart(6, '0'))));
  t.is(burst.filter((r) => r.status === 400).length, 4, 'the four tries left, no more, were judged');
  t.true(burst.filter((r) => r.status !== 400).every((r) => r.status === 409 && r.body.type.endsWith('/phone-verification-ended')));

  assertProblem(t, await confirm(started.body.id, code), 409, 'phone-verification-ended');
  const [row] = await app.db.orm.em.fork().execute<{ attempts: number }[]>('select attempts from phone_verifications where id = ?', [started.body.id]);
  t.is(row!.attempts, 5);
});

test('an expired code, a confirmed verification and an unknown id are refused', async (t) => {
  const phone = uniquePhone();
  const started = await start(phone);
  await app.db.orm.em.fork().execute(`update phone_verifications set expires_at = now() - interval '1 second' where id = ?`, [started.body.id]);
  assertProblem(t, await confirm(started.body.id, codeSentTo(phone)), 409, 'phone-verification-ended');

  const again = await start(phone);
  t.is((await confirm(again.body.id, codeSentTo(phone))).status, 200);
  assertProblem(t, await confirm(again.body.id, codeSentTo(phone)), 409, 'phone-verification-ended', 'a code is traded once');

  assertProblem(t, await confirm('0190b7a0-0000-7000-8000-000000000000', '123456'), 404, 'phone-verification-not-found');
  assertProblem(t, await confirm(started.body.id, '12345'), 400);
  assertProblem(t, await confirm(started.body.id, '１２３４５６'), 400, null, 'digits only, ASCII');
});

test('a burst of code requests for one phone sends exactly PHONE_VERIFICATION_SENDS_PER_PHONE codes', async (t) => {
  const phone = uniquePhone();
  const results = await Promise.all(Array.from({ length: 25 }, () => start(phone)));
  t.is(results.filter((r) => r.status === 201).length, 3);
  const refused = results.filter((r) => r.status !== 201);
  t.is(refused.length, 22);
  for (const res of refused) assertProblem(t, res, 429, 'verification-phone-rate-limited');
  t.truthy(refused[0]!.headers.get('retry-after'));
  t.is(sns.to(phone).length, 3, 'one SMS per accepted request, none for refused ones');
});

test('a burst of code requests from one address to many phones sends exactly PHONE_VERIFICATION_SENDS_PER_ADDRESS codes', async (t) => {
  const other = await startTestApi('phone_verify_addr', { ...VERIFY, PHONE_VERIFICATION_SENDS_PER_ADDRESS: '4' });
  try {
    await untilReady(other);
    const phones = Array.from({ length: 20 }, () => uniquePhone());
    const results = await Promise.all(phones.map((phone) => start(phone, other)));
    t.is(results.filter((r) => r.status === 201).length, 4);
    for (const res of results.filter((r) => r.status !== 201)) assertProblem(t, res, 429, 'verification-address-rate-limited');
    t.is(phones.filter((phone) => sns.to(phone).length > 0).length, 4);
  } finally {
    await other.close();
  }
});

test('when SNS fails the request says so (503 retryable, 400 for a number SNS refuses) and leaves no confirmable row', async (t) => {
  const busy = uniquePhone();
  sns.plan(busy, snsError(500, 'InternalError', 'try later'));
  const res = await start(busy);
  assertProblem(t, res, 503, 'sms-unavailable');
  const refused = uniquePhone();
  sns.plan(refused, snsError(400, 'InvalidParameter', 'Invalid parameter: PhoneNumber'));
  assertProblem(t, await start(refused), 400, 'phone-unreachable');
  t.deepEqual(await app.db.orm.em.fork().execute('select id from phone_verifications where phone in (?, ?)', [busy, refused]), []);
});

test('PHONE_VERIFICATION=off lets signup go without a token (tests, local try-outs)', async (t) => {
  // The shared harness runs with it off; this app is that harness.
  const off = await startTestApi('phone_verify_off');
  try {
    const res = await off.request('POST', '/v1/auth/signup', { body: { phone: uniquePhone(), password: 'correct horse battery', nickname: '무인증' } });
    t.is(res.status, 201);
  } finally {
    await off.close();
  }
});

test('the sweep removes verifications a day past their expiry, and only those', async (t) => {
  const [old, fresh] = [uniquePhone(), uniquePhone()];
  const ended = await start(old);
  const live = await start(fresh);
  await app.db.orm.em.fork().execute(`update phone_verifications set expires_at = now() - interval '25 hours' where id = ?`, [ended.body.id]);
  t.true((await purgeEndedPhoneVerifications(app.db.orm.em.fork())) >= 1);
  const left = await app.db.orm.em.fork().execute<{ id: string }[]>('select id from phone_verifications where id in (?, ?)', [ended.body.id, live.body.id]);
  t.deepEqual(left.map((r) => r.id), [live.body.id]);
});
