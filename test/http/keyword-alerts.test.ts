import test from 'ava';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { createListing } from '../support/listings.ts';
import { outboxJobs } from '../support/follow-ups.ts';
import { assertProblem } from '../support/problems.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('keyword_alerts', { KEYWORD_ALERTS_PER_USER: '3' });
});
test.after.always(async () => {
  await app?.close();
});

const MISSING_ID = '01900000-0000-7000-8000-000000000000';
const sql = <Row = any>(text: string, params: unknown[] = []) => app.db.orm.em.fork().execute<Row[]>(text, params);
const add = (user: TestUser | undefined, keyword: unknown) => app.request('POST', '/v1/me/keyword-alerts', { token: user?.accessToken, body: { keyword } });
const mine = async (user: TestUser) => (await app.request('GET', '/v1/me/keyword-alerts', { token: user.accessToken })).body.items;

test('add, list, remove; words are read as search reads a query', async (t) => {
  const user = await app.signup();
  const created = await add(user, '  캠핑   의자 ');
  t.is(created.status, 201, JSON.stringify(created.body));
  t.like(created.body, { keyword: '캠핑 의자', words: ['의자', '캠핑'] });
  const again = await add(user, '의자 캠핑');
  t.is(again.status, 200, 'the same words again: the existing alert');
  t.is(again.body.id, created.body.id);
  t.deepEqual((await mine(user)).map((a: any) => a.id), [created.body.id]);

  const other = await app.signup();
  assertProblem(t, await app.request('DELETE', `/v1/me/keyword-alerts/${created.body.id}`, { token: other.accessToken }), 404);
  t.is((await mine(user)).length, 1, "another user's delete left it");
  t.is((await app.request('DELETE', `/v1/me/keyword-alerts/${created.body.id}`, { token: user.accessToken })).status, 204);
  t.deepEqual(await mine(user), []);
  assertProblem(t, await app.request('DELETE', `/v1/me/keyword-alerts/${created.body.id}`, { token: user.accessToken }), 404);
});

test('at most KEYWORD_ALERTS_PER_USER alerts per user', async (t) => {
  const user = await app.signup();
  for (const keyword of ['텐트', '의자', '버너']) t.is((await add(user, keyword)).status, 201);
  assertProblem(t, await add(user, '랜턴'), 409, 'too-many-keyword-alerts');
  t.is((await mine(user)).length, 3);
  // Two at once at the cap: the user's row lock lets one through.
  const fresh = await app.signup();
  await add(fresh, '하나');
  await add(fresh, '둘째');
  const racing = await Promise.all([add(fresh, '셋째'), add(fresh, '넷째')]);
  t.deepEqual(racing.map((r) => r.status).sort(), [201, 409]);
  t.is((await mine(fresh)).length, 3);
});

test('bad keywords are a 400 and write nothing', async (t) => {
  const user = await app.signup();
  for (const keyword of ['', '   ', '!!! ???', 'x'.repeat(31), 'a b c d e f', 'a\u202Eb', 5, null]) {
    assertProblem(t, await add(user, keyword), 400, null, JSON.stringify(keyword));
  }
  assertProblem(t, await app.request('POST', '/v1/me/keyword-alerts', { token: user.accessToken, body: { keyword: '의자', userId: MISSING_ID } }), 400);
  assertProblem(t, await add(undefined, '의자'), 401);
  t.deepEqual(await sql('select id from keyword_alerts where user_id = ?', [user.id]), []);
});

test('creating a listing declares the match job in its own transaction, never matching in the request', async (t) => {
  const [watcher, seller] = await Promise.all([app.signup(), app.signup()]);
  await add(watcher, '의자');
  const listing = await createListing(app, seller, { title: '캠핑의자를 팝니다', description: '새것', categoryId: 8, price: 10_000 });
  // The job went to BullMQ (no worker runs in this test), so no notice exists yet.
  t.deepEqual(await sql(`select id from notifications where kind = 'keyword_match' and user_id = ?`, [watcher.id]), []);
  const job = (await app.deps.jobs.queues.notifications.getJobs(['waiting', 'delayed', 'prioritized'])).find((j) => j.name === 'match-keyword-alerts' && j.data.listingId === listing.id);
  t.truthy(job, 'the job is queued');
  t.deepEqual((await outboxJobs(app.db.orm.em.fork())).filter((j) => j.name === 'match-keyword-alerts' && (j.payload as any).listingId === listing.id), [], 'and its outbox row is gone');
});
