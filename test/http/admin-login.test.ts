import test from 'ava';
import { QUEUE_NAMES } from '../../domain/follow-ups/job-contract.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';

/**
 * Operators in a browser: /admin/login sets a session cookie that /admin/queues accepts beside the
 * Bearer header; state-changing board calls riding on it need this service's own Origin.
 */
let app: TestApi;
test.before(async () => {
  app = await startTestApi('admin_login');
});
test.after.always(async () => {
  await app?.close();
});

/** As an operator's SQL would: every API process hears of it by PostgreSQL's NOTIFY, a moment later. */
const setRole = async (userId: string, role: 'user' | 'admin') => {
  await app.db.orm.em.fork().execute(`update users set role = ? where id = ?`, [role, userId]);
  await app.deps.callerAccounts.settled();
};
const QUEUE = QUEUE_NAMES[0];

async function newAdmin(): Promise<TestUser> {
  const user = await app.signup();
  await setRole(user.id, 'admin');
  return user;
}

function post(path: string, body: string, type: string, headers: Record<string, string> = {}) {
  return fetch(app.baseUrl + path, { method: 'POST', headers: { 'content-type': type, ...headers }, body, redirect: 'manual' });
}

const formLogin = (user: { phone: string; password: string }, headers: Record<string, string> = {}) =>
  post('/admin/login', new URLSearchParams({ phone: user.phone, password: user.password }).toString(), 'application/x-www-form-urlencoded', headers);

/** The cookie pair ("gavel_admin=...") to send back, and the Set-Cookie line it came in. */
function sessionCookie(res: Response): { pair: string; line: string } {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('gavel_admin='));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
  return { pair: line.split(';')[0]!, line };
}

const withCookie = (pair: string, headers: Record<string, string> = {}) => ({ headers: { cookie: pair, ...headers } });

test('GET /admin/login is an HTML form posting phone and password', async (t) => {
  const res = await app.request('GET', '/admin/login');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(res.body, /<form method="post" action="\/admin\/login">/);
  t.regex(res.body, /name="phone"/);
  t.regex(res.body, /name="password"/);
  // Under helmet's no-referrer a browser posts the form with `Origin: null`, which the Origin check refuses.
  t.is(res.headers.get('referrer-policy'), 'same-origin');
});

test('an admin signs in with the form: HttpOnly, SameSite=Strict, Path=/admin cookie that opens the board and its API', async (t) => {
  const admin = await newAdmin();
  const res = await formLogin(admin);
  t.is(res.status, 303);
  t.is(res.headers.get('location'), '/admin/queues');
  const { pair, line } = sessionCookie(res);
  t.regex(line, /; path=\/admin(;|$)/i);
  t.regex(line, /; httponly/i);
  t.regex(line, /; samesite=strict/i);
  t.notRegex(line, /; secure/i, 'plain http: no Secure flag (a browser would drop the cookie)');
  t.regex(line, /; expires=/i);

  const page = await app.request('GET', '/admin/queues', withCookie(pair));
  t.is(page.status, 200);
  t.regex(page.headers.get('content-type') ?? '', /^text\/html/);
  const queues = await app.request('GET', '/admin/queues/api/queues?page=1&jobsPerPage=10', withCookie(pair));
  t.is(queues.status, 200, JSON.stringify(queues.body));
  t.deepEqual(queues.body.queues.map((q: { name: string }) => q.name).sort(), [...QUEUE_NAMES].sort());
  t.is((await app.request('GET', '/v1/me', withCookie(pair))).status, 401, 'the cookie is for /admin only, not the API');
});

test('behind a trusted https proxy the cookie is Secure; JSON logins work too', async (t) => {
  const proxied = await startTestApi('admin_login_tls', { TRUST_PROXY_HOPS: '1' });
  t.teardown(() => proxied.close());
  const admin = await proxied.signup();
  await proxied.db.orm.em.fork().execute(`update users set role = 'admin' where id = ?`, [admin.id]);
  const res = await fetch(`${proxied.baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    body: JSON.stringify({ phone: admin.phone, password: admin.password }),
  });
  t.is(res.status, 204);
  t.regex(sessionCookie(res).line, /; secure/i);
});

test('a non-admin is refused (403) and gets no cookie; a wrong password is 401; a bad form is 400', async (t) => {
  const user = await app.signup();
  const refused = await formLogin(user);
  t.is(refused.status, 403);
  t.is(((await refused.json()) as { type: string }).type, 'https://gavel.dev/problems/admin-only');
  t.false(refused.headers.getSetCookie().some((c) => c.startsWith('gavel_admin=')));
  const sessions = await app.db.orm.em.fork().execute<{ open: number }[]>('select count(*)::int as open from refresh_tokens where user_id = ? and revoked_at is null', [user.id]);
  t.is(sessions[0]!.open, 1, 'only the signup login stays open; the refused one is closed');

  const admin = await newAdmin();
  const wrong = await formLogin({ phone: admin.phone, password: 'not the password' });
  t.is(wrong.status, 401);
  t.false(wrong.headers.getSetCookie().some((c) => c.startsWith('gavel_admin=')));
  t.is((await post('/admin/login', 'phone=nope', 'application/x-www-form-urlencoded')).status, 400);
  t.is((await formLogin(admin, { origin: 'https://evil.example' })).status, 403, 'a login form posted from another site');
});

test('the login throttle of /v1/auth/login counts /admin/login failures: after LOGIN_FAILURES_PER_PHONE wrong passwords, 429 with Retry-After', async (t) => {
  const admin = await newAdmin();
  const perPhone = app.deps.config.login.perPhone;
  for (let i = 0; i < perPhone - 1; i++) t.is((await formLogin({ phone: admin.phone, password: `wrong ${i}` })).status, 401);
  // One more failure, spent at the API's login: the same counter.
  t.is((await app.request('POST', '/v1/auth/login', { body: { phone: admin.phone, password: 'wrong again' } })).status, 401);
  const throttled = await formLogin(admin);
  t.is(throttled.status, 429, 'even the right password waits');
  t.truthy(throttled.headers.get('retry-after'));
  t.false(throttled.headers.getSetCookie().some((c) => c.startsWith('gavel_admin=')));
});

test('board calls on the cookie need the own Origin: foreign Origin 403, same Origin 200, no Origin at all 403', async (t) => {
  const admin = await newAdmin();
  const { pair } = sessionCookie(await formLogin(admin));
  const pause = (headers: Record<string, string>) => fetch(`${app.baseUrl}/admin/queues/api/queues/${QUEUE}/pause`, { method: 'PUT', headers: { cookie: pair, ...headers } });

  t.is((await pause({ origin: 'https://evil.example' })).status, 403);
  t.is((await pause({ referer: 'https://evil.example/admin/queues' })).status, 403);
  t.is((await pause({})).status, 403);
  t.false(await app.deps.jobs.queues[QUEUE].isPaused(), 'refused calls changed nothing');

  t.is((await pause({ origin: app.baseUrl })).status, 200);
  t.true(await app.deps.jobs.queues[QUEUE].isPaused());
  const resume = await fetch(`${app.baseUrl}/admin/queues/api/queues/${QUEUE}/resume`, { method: 'PUT', headers: { cookie: pair, referer: `${app.baseUrl}/admin/queues` } });
  t.is(resume.status, 200);
  t.false(await app.deps.jobs.queues[QUEUE].isPaused());

  // The Bearer header is no ambient credential: no Origin needed.
  const bearer = await fetch(`${app.baseUrl}/admin/queues/api/queues/${QUEUE}/pause`, { method: 'PUT', headers: { authorization: `Bearer ${admin.accessToken}` } });
  t.is(bearer.status, 200);
  await app.deps.jobs.queues[QUEUE].resume();
});

test('logout clears the cookie and closes the login: the old cookie no longer opens the board', async (t) => {
  const admin = await newAdmin();
  const { pair } = sessionCookie(await formLogin(admin));
  t.is((await app.request('GET', '/admin/queues', withCookie(pair))).status, 200);

  t.is((await post('/admin/logout', '', 'application/x-www-form-urlencoded', { cookie: pair, origin: 'https://evil.example' })).status, 403, 'no logout from another site');
  const out = await post('/admin/logout', '', 'application/x-www-form-urlencoded', { cookie: pair, origin: app.baseUrl });
  t.is(out.status, 303);
  t.is(out.headers.get('location'), '/admin/login');
  t.regex(sessionCookie(out).line, /gavel_admin=;.*expires=Thu, 01 Jan 1970/i);

  const after = await app.request('GET', '/admin/queues', withCookie(pair));
  t.is(after.status, 401, 'the token in the old cookie names a closed login');
  t.regex(sessionCookie(await fetch(`${app.baseUrl}/admin/queues`, withCookie(pair))).line, /gavel_admin=;/, 'and is cleared');
});

test('a demoted or suspended admin loses the board at the next request; a browser without a session is sent to the form', async (t) => {
  const admin = await newAdmin();
  const { pair } = sessionCookie(await formLogin(admin));
  t.is((await app.request('GET', '/admin/queues', withCookie(pair))).status, 200);
  await setRole(admin.id, 'user');
  t.is((await app.request('GET', '/admin/queues', withCookie(pair))).status, 403);
  t.is((await app.request('GET', '/admin/queues/api/queues', withCookie(pair))).status, 403);

  await setRole(admin.id, 'admin');
  t.is((await app.request('GET', '/admin/queues', withCookie(pair))).status, 200);
  await app.db.orm.em.fork().execute('update users set suspended_at = now() where id = ?', [admin.id]);
  t.is((await app.request('GET', '/admin/queues', withCookie(pair))).status, 401);

  const browser = await fetch(`${app.baseUrl}/admin/queues`, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
  t.is(browser.status, 302);
  t.is(browser.headers.get('location'), '/admin/login');
  t.is((await app.request('GET', '/admin/queues', withCookie('gavel_admin=not-a-token'))).status, 401);
});
