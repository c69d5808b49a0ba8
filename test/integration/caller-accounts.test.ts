import test from 'ava';
import { startTestApi, type TestApi } from '../support/api.ts';
import { sql as sqlOf } from '../support/workers.ts';

/**
 * Each API process keeps copies of callers' role and suspension and forgets one when PostgreSQL
 * announces a change (NOTIFY from the `users` triggers). These tests switch the triggers off to see
 * the copies at all, then check every way a copy must be dropped or refused.
 */
let app: TestApi;
test.before(async () => {
  app = await startTestApi('caller_accounts');
});
test.after.always(async () => {
  await app?.close();
});

const sql = <Row = any>(text: string, params: unknown[] = []) => sqlOf<Row>(app, text, params);
const announcements = (on: boolean) =>
  sql(`alter table users ${on ? 'enable' : 'disable'} trigger users_account_changed`);
const me = (token: string) => app.request<{ title?: string; type?: string }>('GET', '/v1/me', { token });
const listening = async () => {
  for (let i = 0; i < 100; i++) {
    const rows = await sql(`select 1 from pg_stat_activity where application_name = 'gavel-account-changes' and datname = current_database()`);
    if (rows.length) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the account change listener did not come back');
};

test.serial('copies are used: without the announcement a suspension is not seen (so the announcement is what makes it seen)', async (t) => {
  await listening();
  const user = await app.signup();
  t.is((await me(user.accessToken)).status, 200);
  await announcements(false);
  try {
    await sql('update users set suspended_at = now() where id = ?', [user.id]);
    await app.deps.callerAccounts.settled();
    t.is((await me(user.accessToken)).status, 200, 'the copy was used');
  } finally {
    await announcements(true);
  }
});

test.serial('a suspension made with plain SQL elsewhere is refused on the next request once announced', async (t) => {
  await listening();
  const user = await app.signup();
  t.is((await me(user.accessToken)).status, 200);
  await sql('update users set suspended_at = now() where id = ?', [user.id]);
  await app.deps.callerAccounts.settled();
  const res = await me(user.accessToken);
  t.is(res.status, 401);
  t.regex(res.body.type ?? '', /account-suspended$/);
  // And lifting it is seen too.
  await sql('update users set suspended_at = null where id = ?', [user.id]);
  await app.deps.callerAccounts.settled();
  t.is((await me(user.accessToken)).status, 200);
});

test.serial('an admin is never copied: a demotion counts on the very next request, announced or not', async (t) => {
  await listening();
  const user = await app.signup();
  await sql(`update users set role = 'admin' where id = ?`, [user.id]);
  await app.deps.callerAccounts.settled();
  t.is((await app.request('GET', '/admin/queues/api/queues', { token: user.accessToken })).status, 200);
  await announcements(false);
  try {
    await sql(`update users set role = 'user' where id = ?`, [user.id]);
    t.is((await app.request('GET', '/admin/queues/api/queues', { token: user.accessToken })).status, 403);
  } finally {
    await announcements(true);
  }
});

test.serial('while the listening connection is lost, nothing is trusted from memory; copies resume once it is back', async (t) => {
  await listening();
  const user = await app.signup();
  t.is((await me(user.accessToken)).status, 200);
  await announcements(false);
  try {
    await sql(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'gavel-account-changes' and datname = current_database()`);
    await sql('update users set suspended_at = now() where id = ?', [user.id]);
    // Whether or not the process has noticed the lost connection yet, its copies are gone with it
    // or the request reads the row: either way the suspension is seen.
    for (let i = 0; i < 20; i++) {
      const res = await me(user.accessToken);
      if (res.status === 401) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    t.is((await me(user.accessToken)).status, 401);
  } finally {
    await announcements(true);
  }
  await listening();
  await sql('update users set suspended_at = null where id = ?', [user.id]);
  await app.deps.callerAccounts.settled();
  t.is((await me(user.accessToken)).status, 200);
});
