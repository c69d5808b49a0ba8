import test from 'ava';
import jwt from 'jsonwebtoken';
import { startTestApi, uniquePhone, type TestApi } from '../support/api.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('accounts');
});
test.after.always(async () => {
  await app?.close();
});

test('signup returns 201 with a token pair and the caller, and the password is stored as argon2id', async (t) => {
  const phone = uniquePhone();
  const res = await app.request('POST', '/v1/auth/signup', { body: { phone, password: 'correct horse battery', nickname: '당근' } });
  t.is(res.status, 201);
  t.truthy(res.body.accessToken);
  t.truthy(res.body.refreshToken);
  t.like(res.body.user, { phone, nickname: '당근', role: 'user' });
  const [row] = await app.db.orm.em.fork().execute<any[]>('select password_hash from users where phone = ?', [phone]);
  t.regex(row.password_hash, /^\$argon2id\$/);
  t.false(JSON.stringify(row).includes('correct horse battery'));
});

test('signup with a phone already used gives 409', async (t) => {
  const user = await app.signup();
  const res = await app.request('POST', '/v1/auth/signup', { body: { phone: user.phone, password: 'another password', nickname: 'dup' } });
  t.is(res.status, 409);
  t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  t.is(res.body.type, 'https://gavel.dev/problems/phone-taken');
});

test('two simultaneous signups with one phone: exactly one succeeds', async (t) => {
  const phone = uniquePhone();
  const results = await Promise.all(
    [1, 2, 3].map(() => app.request('POST', '/v1/auth/signup', { body: { phone, password: 'correct horse battery', nickname: 'racer' } })),
  );
  t.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409]);
});

for (const [name, body] of [
  ['a phone not in E.164', { phone: '010-1234-5678', password: 'correct horse battery', nickname: 'x1' }],
  ['a short password', { phone: '+821099990000', password: 'short', nickname: 'x1' }],
  ['a missing nickname', { phone: '+821099990000', password: 'correct horse battery' }],
  ['a role the client tries to set', { phone: '+821099990001', password: 'correct horse battery', nickname: 'x1', role: 'admin' }],
  ['a number as phone', { phone: 821012345678, password: 'correct horse battery', nickname: 'x1' }],
] as const) {
  test(`signup with ${name} gives 400 and creates nothing`, async (t) => {
    const res = await app.request('POST', '/v1/auth/signup', { body });
    t.is(res.status, 400);
    t.is(res.body.type, 'https://gavel.dev/problems/validation-failed');
    t.true(Array.isArray(res.body.errors) && res.body.errors.length > 0);
    // Every body above is bad only in one field; none may leave an account behind.
    const created = await app.db.orm.em.fork().execute<any[]>(`select count(*)::int as n from users where phone like '+82109999%' or nickname = 'x1'`);
    t.is(created[0].n, 0);
  });
}

for (const [name, password] of [
  ['12345678', '12345678'],
  ['eight spaces', '        '],
  ['password', 'password'],
  ['a keyboard walk', 'qwertyuiop'],
  ['a repeat', 'aaaaaaaaaaaa'],
  ['a common word with a digit', 'iloveyou1'],
  ['l33t of a common password', 'p@ssw0rd!'],
] as const) {
  test(`signup with a weak password (${name}) is a 400 naming the password, and creates nothing`, async (t) => {
    const phone = uniquePhone();
    const res = await app.request('POST', '/v1/auth/signup', { body: { phone, password, nickname: 'weakpass' } });
    t.is(res.status, 400);
    t.is(res.body.type, 'https://gavel.dev/problems/validation-failed');
    t.deepEqual(res.body.errors.map((e: { path: string }) => e.path), ['password']);
    t.regex(res.body.errors[0].message, /too easy to guess/);
    t.is((await app.db.orm.em.fork().execute<any[]>('select count(*)::int as n from users where phone = ?', [phone]))[0].n, 0);
  });
}

test('a passphrase of a few words is strong enough; a short password gets one message, not two', async (t) => {
  t.is((await app.request('POST', '/v1/auth/signup', { body: { phone: uniquePhone(), password: 'violet tram at dusk', nickname: '강한비번' } })).status, 201);
  const short = await app.request('POST', '/v1/auth/signup', { body: { phone: uniquePhone(), password: '1234', nickname: 'shortpass' } });
  t.is(short.status, 400);
  t.is(short.body.errors.length, 1);
});

for (const [name, nickname] of [
  ['a right-to-left override', 'evil\u202Egnp.exe'],
  ['a bidi isolate', 'a\u2066b\u2069c'],
  ['a left-to-right mark', 'name\u200E'],
  ['a zero-width space', 'zero\u200Bwidth'],
  ['a bell', 'bell\u0007'],
  ['an escape sequence', '\u001b[31mred'],
  ['a line separator', 'two\u2028lines'],
  ['a newline', 'two\nlines'],
  ['a byte order mark inside', 'b\uFEFFom'],
  ['an invisible tag character (outside the BMP)', 'tag\u{E0041}ged'],
  ['a private-use character', 'priv\uE000ate'],
] as const) {
  test(`signup with a nickname holding ${name} is a 400 naming the nickname`, async (t) => {
    const res = await app.request('POST', '/v1/auth/signup', { body: { phone: uniquePhone(), password: 'correct horse battery', nickname } });
    t.is(res.status, 400);
    t.deepEqual(res.body.errors.map((e: { path: string }) => e.path), ['nickname']);
  });
}

test('nicknames in any script, with emoji (zero-width joiner sequences too), are accepted', async (t) => {
  for (const nickname of ['경매왕', 'Zoë', 'مزاد', '👨‍👩‍👧 가족']) {
    t.is((await app.request('POST', '/v1/auth/signup', { body: { phone: uniquePhone(), password: 'correct horse battery', nickname } })).status, 201, nickname);
  }
});

test('login returns 200 with a new pair; a wrong password and an unknown phone give the same 401', async (t) => {
  const user = await app.signup();
  const ok = await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: user.password } });
  t.is(ok.status, 200);
  t.truthy(ok.body.accessToken);
  const wrong = await app.request('POST', '/v1/auth/login', { body: { phone: user.phone, password: 'not the password' } });
  const unknown = await app.request('POST', '/v1/auth/login', { body: { phone: uniquePhone(), password: 'not the password' } });
  t.is(wrong.status, 401);
  t.is(unknown.status, 401);
  t.is(wrong.body.type, unknown.body.type);
  t.is(wrong.body.detail, unknown.body.detail);
});

test('GET /v1/me returns the caller identified by the token', async (t) => {
  const user = await app.signup({ nickname: '나야나' });
  const res = await app.request('GET', '/v1/me', { token: user.accessToken });
  t.is(res.status, 200);
  t.like(res.body, { id: user.id, phone: user.phone, nickname: '나야나' });
  t.false('passwordHash' in res.body);
});

test('GET /v1/me without a token, with garbage, alg none, another algorithm, a bad signature, a wrong audience, expired, without exp or with a non-UUID subject gives 401', async (t) => {
  const user = await app.signup();
  const secret = app.deps.config.jwt.secret;
  const claims = { role: 'user' };
  const base = { subject: user.id, issuer: 'gavel', audience: 'gavel-api' } as const;
  const [header, payload] = user.accessToken.split('.');
  const noneToken = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
  const tokens = {
    missing: undefined,
    garbage: 'not-a-jwt',
    algNone: noneToken,
    hs512: jwt.sign(claims, secret, { ...base, algorithm: 'HS512' }),
    badSignature: `${header}.${payload}.${'A'.repeat(43)}`,
    wrongAudience: jwt.sign(claims, secret, { ...base, audience: 'someone-else', algorithm: 'HS256' }),
    expired: jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, secret, { ...base, algorithm: 'HS256' }),
    otherSecret: jwt.sign(claims, 'x'.repeat(40), { ...base, algorithm: 'HS256' }),
    // Signed with the real secret, so only the claims are wrong.
    noExpiry: jwt.sign(claims, secret, { ...base, algorithm: 'HS256' }),
    subjectNotUuid: jwt.sign(claims, secret, { ...base, subject: 'not-a-uuid', algorithm: 'HS256', expiresIn: 60 }),
    subjectSqlish: jwt.sign(claims, secret, { ...base, subject: "' or 1=1 --", algorithm: 'HS256', expiresIn: 60 }),
    subjectNumber: jwt.sign({ ...claims, sub: 42 }, secret, { issuer: 'gavel', audience: 'gavel-api', algorithm: 'HS256', expiresIn: 60 }),
  };
  for (const [name, token] of Object.entries(tokens)) {
    const res = await app.request('GET', '/v1/me', { token });
    t.is(res.status, 401, name);
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/, name);
  }
  t.is((await app.request('GET', '/v1/me', { headers: { authorization: 'Basic abc' } })).status, 401);
  // The same claims with an expiry and a real subject pass: the refusals above are about the claims.
  t.is((await app.request('GET', '/v1/me', { token: jwt.sign(claims, secret, { ...base, algorithm: 'HS256', expiresIn: 60 }) })).status, 200);
});

test('a token of a deleted account gives 401 once PostgreSQL has announced the deletion', async (t) => {
  const user = await app.signup();
  // The API now holds a copy of the caller's account; the deletion must reach it.
  t.is((await app.request('GET', '/v1/me', { token: user.accessToken })).status, 200);
  await app.db.orm.em.fork().execute<any[]>('delete from users where id = ?', [user.id]);
  await app.deps.callerAccounts.settled();
  t.is((await app.request('GET', '/v1/me', { token: user.accessToken })).status, 401);
});

test('refresh rotates: the new pair works, and the spent token works no more', async (t) => {
  const user = await app.signup();
  const first = await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
  t.is(first.status, 200);
  t.not(first.body.refreshToken, user.refreshToken);
  t.is((await app.request('GET', '/v1/me', { token: first.body.accessToken })).status, 200);
  const second = await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
  t.is(second.status, 200);
});

test('reusing a spent refresh token revokes the whole family', async (t) => {
  const user = await app.signup();
  const rotated = await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
  t.is(rotated.status, 200);
  const reuse = await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
  t.is(reuse.status, 401);
  t.is(reuse.body.type, 'https://gavel.dev/problems/invalid-refresh-token');
  // The legitimate holder of the newer token is logged out too.
  const newer = await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } });
  t.is(newer.status, 401);
});

test('two concurrent refreshes with one token: one rotates, the other is treated as reuse', async (t) => {
  const user = await app.signup();
  const results = await Promise.all([1, 2].map(() => app.request('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } })));
  t.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
  const winner = results.find((r) => r.status === 200)!;
  t.is((await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: winner.body.refreshToken } })).status, 401);
});

test('a refresh token is stored only as a hash', async (t) => {
  const user = await app.signup();
  const rows = await app.db.orm.em.fork().execute<any[]>('select token_hash from refresh_tokens where user_id = ?', [user.id]);
  t.is(rows.length, 1);
  t.not(rows[0].token_hash, user.refreshToken);
  t.regex(rows[0].token_hash, /^[0-9a-f]{64}$/);
});

test('an unknown or malformed refresh token gives 401 or 400', async (t) => {
  t.is((await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: 'never-issued' } })).status, 401);
  t.is((await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: 42 } })).status, 400);
  t.is((await app.request('POST', '/v1/auth/refresh', { body: {} })).status, 400);
});

test('logout revokes the refresh family', async (t) => {
  const user = await app.signup();
  t.is((await app.request('POST', '/v1/auth/logout', { body: { refreshToken: user.refreshToken } })).status, 204);
  t.is((await app.request('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } })).status, 401);
});

test('one line is one account: +82010... and +8210... are the same number, for signup and login', async (t) => {
  const phone = uniquePhone(); // +8210...
  const trunk = phone.replace(/^\+82/, '+820');
  const first = await app.request('POST', '/v1/auth/signup', { body: { phone: trunk, password: 'correct horse battery', nickname: '영일공' } });
  t.is(first.status, 201);
  t.is(first.body.user.phone, phone, 'stored and shown in its one spelling');
  const second = await app.request('POST', '/v1/auth/signup', { body: { phone, password: 'another password', nickname: '일공' } });
  t.is(second.status, 409);
  t.is(second.body.type, 'https://gavel.dev/problems/phone-taken');
  for (const spelling of [phone, trunk]) {
    t.is((await app.request('POST', '/v1/auth/login', { body: { phone: spelling, password: 'correct horse battery' } })).status, 200, spelling);
  }
});

test('a number that is E.164 in shape but no real line is a 400 problem', async (t) => {
  for (const phone of ['+15550001234', '+8210123412345', '+999123456789']) {
    const res = await app.request('POST', '/v1/auth/signup', { body: { phone, password: 'correct horse battery', nickname: '가짜' } });
    t.is(res.status, 400, phone);
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  }
});
