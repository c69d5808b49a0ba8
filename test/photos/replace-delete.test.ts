import test from 'ava';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { jobTrouble, recordingSms, sql, startInProcessWorkers, troubleIn, waitFor, type InProcessWorkers } from '../support/workers.ts';
import { fetchBytes, jpegWithGps, listingWithPhotos, settledListing, storedKeys, upload } from './support.ts';

/**
 * Photos taken off a listing (by a PATCH with a new photoIds list, or by deleting the listing) lose
 * their stored objects through the delete-objects job; the photos that stay keep theirs, and a photo
 * added by the PATCH is processed like any other.
 */
let app: TestApi;
let workers: InProcessWorkers;

test.before(async () => {
  app = await startTestApi('photo_replace');
  workers = await startInProcessWorkers(app, recordingSms());
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
});

const derived = (listingId: string, photoId: string) => [`photos/${listingId}/${photoId}/display.jpg`, `photos/${listingId}/${photoId}/thumb.jpg`];
const keysOf = async (listingId: string) => (await storedKeys(app)).filter((key) => key.startsWith(`photos/${listingId}/`));
const uploadsOf = (user: TestUser) => sql(app, 'select id, status from uploads where user_id = ? order by id', [user.id]);

async function readyListing(seller: TestUser, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await upload(app, seller, await jpegWithGps(900 + i * 10, 700)));
  const listing = await settledListing(app, (await listingWithPhotos(app, seller, ids)).id);
  if (!listing.photos.every((p: { status: string }) => p.status === 'ready')) throw new Error(`not ready: ${JSON.stringify(listing.photos)}`);
  return { listing, ids };
}

test('a PATCH reorders, removes and adds photos; the removed one’s files go, the added one is processed', async (t) => {
  const seller = await app.signup();
  const { listing, ids } = await readyListing(seller, 3);
  const [a, b, c] = ids as [string, string, string];
  t.deepEqual(await keysOf(listing.id), [a, b, c].flatMap((id) => derived(listing.id, id)).sort());
  const kept = await Promise.all([a, c].map((id) => fetchBytes(app, `/media/${derived(listing.id, id)[0]}`)));
  t.deepEqual(kept.map((k) => k.status), [200, 200]);

  const d = await upload(app, seller, await jpegWithGps(1000, 800));
  const res = await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { photoIds: [c, a, d] } });
  t.is(res.status, 200, JSON.stringify(res.body));
  t.deepEqual(res.body.photos.map((p: { id: string; status: string }) => [p.id, p.status]), [[c, 'ready'], [a, 'ready'], [d, 'processing']]);
  t.deepEqual(await sql(app, 'select id, position from listing_photos where listing_id = ? order by position', [listing.id]), [
    { id: c, position: 0 },
    { id: a, position: 1 },
    { id: d, position: 2 },
  ]);
  t.deepEqual(await sql(app, 'select id from uploads where id = ?', [b]), [], 'the removed photo’s upload row is gone');

  // The delete-objects job removes b's files; the worker processes d.
  const settled = await settledListing(app, listing.id);
  t.deepEqual(settled.photos.map((p: { id: string; status: string }) => [p.id, p.status]), [[c, 'ready'], [a, 'ready'], [d, 'ready']]);
  await waitFor('b’s files removed', async () => !(await storedKeys(app)).some((key) => key.includes(b)), 10_000);
  t.deepEqual(await keysOf(listing.id), [a, c, d].flatMap((id) => derived(listing.id, id)).sort());
  // The worker removes an original right after marking its photo ready.
  await waitFor('no original left', async () => !(await storedKeys(app)).some((key) => key.startsWith('uploads/')), 5_000);
  for (const [i, id] of [a, c].entries()) {
    t.deepEqual((await fetchBytes(app, `/media/${derived(listing.id, id)[0]}`)).bytes, kept[i]!.bytes, 'a kept photo is untouched');
  }
  t.is((await fetchBytes(app, `/media/${derived(listing.id, b)[0]}`)).status, 404);

  // Removing every photo empties the listing's folder of files.
  const cleared = await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { photoIds: [] } });
  t.deepEqual(cleared.body.photos, []);
  await waitFor('all files removed', async () => (await keysOf(listing.id)).length === 0, 10_000);
  t.deepEqual(await uploadsOf(seller), []);
  t.deepEqual(await jobTrouble(workers.jobs), []);
  t.deepEqual(troubleIn(workers.logs), []);
});

test('deleting a listing removes its photos’ rows and files, and leaves other listings’ alone', async (t) => {
  const seller = await app.signup();
  const { listing, ids } = await readyListing(seller, 2);
  const { listing: other, ids: otherIds } = await readyListing(seller, 1);
  // A third photo, added just before the delete: processing or barely done when the listing goes.
  const late = await upload(app, seller, await jpegWithGps(700, 500));
  t.is((await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { photoIds: [...ids, late] } })).status, 200);

  const res = await app.request('DELETE', `/v1/listings/${listing.id}`, { token: seller.accessToken });
  t.is(res.status, 204, JSON.stringify(res.body));
  t.deepEqual(await sql(app, 'select id from listing_photos where listing_id = ?', [listing.id]), []);
  t.deepEqual(await sql(app, 'select id from uploads where id = any(?::uuid[])', [`{${[...ids, late]}}`]), []);
  await waitFor('the deleted listing’s files removed', async () => !(await storedKeys(app)).some((key) => key.includes(listing.id) || key.includes(late)), 10_000);
  t.deepEqual(await keysOf(listing.id), []);
  t.deepEqual(await keysOf(other.id), derived(other.id, otherIds[0]!).sort(), 'the other listing keeps its files');
  t.is((await fetchBytes(app, `/media/${derived(other.id, otherIds[0]!)[1]}`)).status, 200);
  t.deepEqual(await uploadsOf(seller), otherIds.map((id) => ({ id, status: 'attached' })));
  t.deepEqual(await jobTrouble(workers.jobs), []);
});
