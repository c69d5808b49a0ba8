import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestApi, uniquePhone, type TestApi } from '../support/api.ts';
import { QUEUE_NAMES } from '../../domain/follow-ups/job-contract.ts';
import { TEST_JWT_SECRET } from '../support/secrets.ts';

/**
 * Bull Board at /admin/queues: only for accounts with the admin role, read from the database on
 * every request, and the one way to grant it, `npm run admin:grant` (main/grant-admin.ts).
 */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
let app: TestApi;
test.before(async () => {
  app = await startTestApi('admin_queues');
});
test.after.always(async () => {
  await app?.close();
});

/** As an operator's SQL would: every API process hears of it by PostgreSQL's NOTIFY, a moment later. */
const setRole = async (userId: string, role: 'user' | 'admin') => {
  await app.db.orm.em.fork().execute(`update users set role = ? where id = ?`, [role, userId]);
  await app.deps.callerAccounts.settled();
};
const roleOf = async (userId: string) => (await app.db.orm.em.fork().execute<{ role: string }[]>('select role from users where id = ?', [userId]))[0]?.role;

test('GET /admin/queues: 401 anonymous, 403 for a user, 200 HTML for an admin; the role is read per request', async (t) => {
  const anonymous = await app.request('GET', '/admin/queues');
  t.is(anonymous.status, 401);
  t.regex(anonymous.headers.get('content-type') ?? '', /^application\/problem\+json/);

  const user = await app.signup();
  const asUser = await app.request('GET', '/admin/queues', { token: user.accessToken });
  t.is(asUser.status, 403);
  t.is(asUser.body.type, 'https://gavel.dev/problems/admin-only');
  t.is((await app.request('GET', '/admin/queues/api/queues', { token: user.accessToken })).status, 403, 'the board API too');

  // The same token, once the account is an admin: no new login needed.
  await setRole(user.id, 'admin');
  const asAdmin = await app.request('GET', '/admin/queues', { token: user.accessToken });
  t.is(asAdmin.status, 200);
  t.regex(asAdmin.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(asAdmin.body, /<html/i);

  // ...and demoted again, the same token is refused at once.
  await setRole(user.id, 'user');
  t.is((await app.request('GET', '/admin/queues', { token: user.accessToken })).status, 403);
});

test('the Bull Board API under /admin/queues/api/queues lists every queue for an admin', async (t) => {
  const admin = await app.signup();
  await setRole(admin.id, 'admin');
  t.is((await app.request('GET', '/admin/queues/api/queues')).status, 401);
  for (const path of ['/ADMIN/queues/api/queues', '/Admin/Queues/api/queues', '/admin/queues/static/js/main.js']) {
    t.true([401, 404].includes((await app.request('GET', path)).status), `${path} is not open to anonymous callers`);
  }
  const res = await app.request('GET', '/admin/queues/api/queues?page=1&jobsPerPage=10', { token: admin.accessToken });
  t.is(res.status, 200, JSON.stringify(res.body));
  t.deepEqual(res.body.queues.map((q: { name: string }) => q.name).sort(), [...QUEUE_NAMES].sort());
});

function grantAdmin(phone: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['main/grant-admin.ts', phone], {
    cwd: REPO_ROOT,
    env: { ...process.env, JWT_SECRET: TEST_JWT_SECRET, DATABASE_URL: app.db.url, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

test('main/grant-admin.ts makes an existing account admin (exit 0); an unknown phone or a malformed one exits non-zero', async (t) => {
  const user = await app.signup();
  const granted = await grantAdmin(user.phone);
  t.is(granted.code, 0, granted.output);
  t.regex(granted.output, new RegExp(`account ${user.id} is now an admin`));
  t.is(await roleOf(user.id), 'admin');
  t.is((await app.request('GET', '/admin/queues', { token: user.accessToken })).status, 200);

  const unknown = await grantAdmin(uniquePhone());
  t.not(unknown.code, 0);
  t.regex(unknown.output, /no account has that phone number/);
  const malformed = await grantAdmin('01012345678');
  t.not(malformed.code, 0);
  t.regex(malformed.output, /usage/);
});
