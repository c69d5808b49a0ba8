import test from 'ava';
import { randomUUID } from 'node:crypto';
import { purgeAbandonedUploads } from '../../domain/maintenance/sweep-queries.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { diedAfterCommit, outboxJobs } from '../support/follow-ups.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('abandoned');
});
test.after.always(async () => {
  await app?.close();
});

test('uploads nobody attached are purged (expired pending ones, day-old received ones); recent and attached ones stay', async (t) => {
  const user = await app.signup();
  const em = app.db.orm.em.fork();
  const insert = (status: string, created: string, expires: string) => {
    const id = randomUUID();
    return em
      .execute(
        `insert into uploads (id, user_id, content_type, declared_size, object_key, status, created_at, expires_at)
         values (?, ?, 'image/jpeg', 10, ?, ?, now() - ?::interval, now() + ?::interval) returning object_key`,
        [id, user.id, `uploads/${user.id}/${id}`, status, created, expires],
      )
      .then((rows) => (rows[0] as { object_key: string }).object_key);
  };
  const expiredPending = await insert('pending', '3 hours', '-2 hours');
  const freshPending = await insert('pending', '1 minute', '14 minutes');
  const oldReceived = await insert('uploaded', '2 days', '-2 days');
  const recentReceived = await insert('uploaded', '1 hour', '-45 minutes');
  const oldAttached = await insert('attached', '3 days', '-3 days');

  // As if the worker died right after the purge committed: removing the objects is still on record.
  t.is(await purgeAbandonedUploads(em, diedAfterCommit), 2);
  const declared = (await outboxJobs(em)).filter((job) => job.name === 'delete-objects');
  t.is(declared.length, 1);
  t.deepEqual((declared[0]!.payload.keys as string[]).sort(), [expiredPending, oldReceived].sort());
  const left = await em.execute<{ object_key: string }[]>('select object_key from uploads where user_id = ?', [user.id]);
  t.deepEqual(left.map((r) => r.object_key).sort(), [freshPending, recentReceived, oldAttached].sort());
});

test('starting uploads is limited per user per hour (429 with Retry-After)', async (t) => {
  const limited = await startTestApi('uploadlimit', { UPLOAD_RATE_LIMIT_PER_HOUR: '2' });
  try {
    const user = await limited.signup();
    const other = await limited.signup();
    const start = (token: string) => limited.request('POST', '/v1/uploads', { token, body: { contentType: 'image/png', size: 100 } });
    t.is((await start(user.accessToken)).status, 201);
    t.is((await start(user.accessToken)).status, 201);
    const third = await start(user.accessToken);
    t.is(third.status, 429);
    t.true(Number(third.headers.get('retry-after')) > 0);
    t.is((await start(other.accessToken)).status, 201);
  } finally {
    await limited.close();
  }
});
