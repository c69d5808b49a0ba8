import test from 'ava';
import { randomUUID } from 'node:crypto';
import type { LocalObjectStore } from '../../infra/local-object-store.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { assertProblem } from '../support/problems.ts';
import { sql } from '../support/workers.ts';
import { jpegWithGps, listingWithPhotos, listWithPhotos, requestUpload, sendBytes, storedKeys, upload } from './support.ts';

/**
 * Every way a client can get a photo wrong, each answered with a 4xx problem+json that says what
 * was wrong, and nothing half-done: no upload changes status, no listing is created or changed, no
 * photo row appears, no stray file is left in storage.
 */
let app: TestApi;
let jpeg: Buffer;
test.before(async () => {
  app = await startTestApi('photo_bad_input');
  jpeg = await jpegWithGps(320, 240);
});
test.after.always(async () => {
  await app?.close();
});

const MB10 = 10 * 1024 * 1024;

/** Everything a photo request could change: the user's uploads, listings, photo rows, stored files. */
async function world(...users: TestUser[]) {
  const ids = users.map((u) => u.id);
  return {
    uploads: await sql(app, `select id, user_id, status, received_size from uploads where user_id = any(?::uuid[]) order by created_at, id`, [`{${ids}}`]),
    listings: await sql(app, `select id, title, updated_at from listings where seller_id = any(?::uuid[]) order by created_at, id`, [`{${ids}}`]),
    photos: await sql(
      app,
      `select p.id, p.listing_id, p.position, p.status from listing_photos p join listings l on l.id = p.listing_id
       where l.seller_id = any(?::uuid[]) order by p.listing_id, p.position`,
      [`{${ids}}`],
    ),
    files: (await storedKeys(app)).filter((key) => ids.some((id) => key.includes(id))),
  };
}

async function pendingUpload(user: TestUser, size = jpeg.length, contentType = 'image/jpeg') {
  const res = await requestUpload(app, user, contentType, size);
  if (res.status !== 201) throw new Error(`upload refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; url: string; method: string; headers: Record<string, string> };
}

test('an upload must be a supported image type of at most 10 MB', async (t) => {
  const user = await app.signup();
  for (const contentType of ['image/gif', 'text/plain', 'image/svg+xml', 'application/octet-stream', 'IMAGE/JPEG', '']) {
    assertProblem(t, await requestUpload(app, user, contentType, 1000), 400, 'validation-failed', contentType);
  }
  for (const size of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
    assertProblem(t, await requestUpload(app, user, 'image/jpeg', size), 400, null, `size ${size}`);
  }
  const tooLarge = await requestUpload(app, user, 'image/png', MB10 + 1);
  assertProblem(t, tooLarge, 400, 'upload-too-large', '10 MB + 1');
  t.is(tooLarge.body.maxBytes, MB10);
  t.deepEqual(await world(user), { uploads: [], listings: [], photos: [], files: [] });
  // Control: exactly 10 MB is allowed.
  t.is((await requestUpload(app, user, 'image/png', MB10)).status, 201);
  t.is((await world(user)).uploads.length, 1);
});

test('sending more bytes than declared is a 413, stores nothing, and the upload stays pending', async (t) => {
  const user = await app.signup();
  const target = await pendingUpload(user, 1000);
  const before = await world(user);
  // With a Content-Length that says so up front.
  assertProblem(t, await sendBytes(app, target, Buffer.alloc(1001, 1)), 413, null, 'Content-Length 1001');
  t.deepEqual(await world(user), before);
  // And chunked, so only counting the bytes as they stream shows it.
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= 64 * 1024) return controller.close();
      sent += 4096;
      controller.enqueue(new Uint8Array(4096));
    },
  });
  const res = await fetch(new URL(target.url, app.baseUrl), { method: 'PUT', headers: target.headers, body, duplex: 'half' } as RequestInit);
  t.is(res.status, 413);
  t.is(((await res.json()) as { status: number }).status, 413);
  t.deepEqual(await world(user), before);
  // The same URL still works with the right bytes.
  t.is((await sendBytes(app, target, Buffer.alloc(1000, 1))).status, 204);
  t.like((await world(user)).uploads[0], { status: 'uploaded', received_size: '1000' });
});

test('fewer bytes than declared, or none, store nothing and leave the upload pending', async (t) => {
  const user = await app.signup();
  const target = await pendingUpload(user, 1000);
  const before = await world(user);
  assertProblem(t, await sendBytes(app, target, Buffer.alloc(0)), 400, null, 'empty body');
  t.deepEqual(await world(user), before);
  assertProblem(t, await sendBytes(app, target, Buffer.alloc(999, 1)), 400, 'upload-size-mismatch', '999 of 1000 bytes');
  t.deepEqual(await world(user), before);
});

test('the bytes must come with the declared Content-Type', async (t) => {
  const user = await app.signup();
  const target = await pendingUpload(user);
  const before = await world(user);
  for (const type of ['image/png', 'text/plain', 'application/octet-stream']) {
    assertProblem(t, await sendBytes(app, target, jpeg, { 'Content-Type': type }), 400, 'content-type-mismatch', type);
  }
  t.deepEqual(await world(user), before);
  // Parameters and case do not matter; the media type does.
  t.is((await sendBytes(app, target, jpeg, { 'Content-Type': 'Image/JPEG; charset=binary' })).status, 204);
});

test('a forged, altered, borrowed or expired upload URL is refused with 403', async (t) => {
  const user = await app.signup();
  const target = await pendingUpload(user);
  const other = await pendingUpload(user);
  const url = new URL(target.url, app.baseUrl);
  const expires = Number(url.searchParams.get('expires'));
  const signature = url.searchParams.get('signature')!;
  const store = app.deps.objects as LocalObjectStore;
  const key = `uploads/${user.id}/${target.id}`;
  const variant = (params: Record<string, string>, id = target.id) => {
    const query = new URLSearchParams({ expires: String(expires), signature, ...params });
    return { ...target, url: `/v1/uploads/${id}/content?${query}` };
  };
  const before = await world(user);
  const refused: [string, { url: string; method: string; headers: Record<string, string> }][] = [
    ['a made-up signature', variant({ signature: 'A'.repeat(43) })],
    ['a signature one character off', variant({ signature: signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A') })],
    ['a later expiry than was signed', variant({ expires: String(expires + 3600) })],
    ['the signature of another upload', variant({}, other.id)],
    // Signed with the app's own secret, so only the expiry can refuse it.
    ['an expired URL, correctly signed', variant({ expires: String(Math.floor(Date.now() / 1000) - 5), signature: store.signature(key, 'image/jpeg', jpeg.length, Math.floor(Date.now() / 1000) - 5) })],
  ];
  for (const [label, forged] of refused) {
    assertProblem(t, await sendBytes(app, forged, jpeg), 403, 'invalid-upload-signature', label);
  }
  t.deepEqual(await world(user), before);
  // Control: the URL as issued works (and the expired one differed only in its expiry).
  t.is((await sendBytes(app, target, jpeg)).status, 204);
  assertProblem(t, await sendBytes(app, variant({}, randomUUID()), jpeg), 404, null, 'an unknown upload');
});

test('bytes are received once: a second PUT is a 409 and changes nothing', async (t) => {
  const user = await app.signup();
  const target = await pendingUpload(user);
  t.is((await sendBytes(app, target, jpeg)).status, 204);
  const before = await world(user);
  t.deepEqual(before.files, [`uploads/${user.id}/${target.id}`]);
  assertProblem(t, await sendBytes(app, target, Buffer.alloc(jpeg.length, 7)), 409, 'upload-already-received', 'second PUT');
  t.deepEqual(await world(user), before);
});

test('attaching photos that are not yours, not there, not known or too many refuses the whole listing', async (t) => {
  const [seller, other] = [await app.signup(), await app.signup()];
  const mine = await upload(app, seller, jpeg);
  const theirs = await upload(app, other, jpeg);
  const neverSent = (await pendingUpload(seller)).id;
  const attached = await upload(app, seller, jpeg);
  await listingWithPhotos(app, seller, [attached]);
  // Ten at once at most (UPLOAD_MAX_CONCURRENT_PER_USER), as a client filling one listing sends them.
  const eleven = [...(await Promise.all(Array.from({ length: 10 }, () => upload(app, seller, jpeg)))), await upload(app, seller, jpeg)];

  const cases: [string, string[], number, string | null][] = [
    ['another user’s upload', [mine, theirs], 403, 'upload-not-yours'],
    ['a photo already on another listing', [mine, attached], 409, 'photo-already-attached'],
    ['the same photo twice', [mine, mine], 400, 'duplicate-photo'],
    ['an upload whose bytes never arrived', [mine, neverSent], 409, 'upload-missing'],
    ['an unknown upload', [mine, randomUUID()], 400, 'unknown-upload'],
    ['eleven photos', eleven, 400, 'validation-failed'],
    ['a photo id that is no id', [mine, 'not-a-uuid'], 400, 'validation-failed'],
  ];
  for (const [label, photoIds, status, code] of cases) {
    const before = await world(seller, other);
    assertProblem(t, await listWithPhotos(app, seller, photoIds), status, code, label);
    t.deepEqual(await world(seller, other), before, `${label}: nothing changed`);
  }
  // Control: the valid photo alone is attached, and the first ten of the eleven too.
  t.is((await listWithPhotos(app, seller, [mine])).status, 201);
  t.is((await listWithPhotos(app, seller, eleven.slice(0, 10))).status, 201);
});

test('changing a listing’s photos to a bad list changes neither the listing nor its photos', async (t) => {
  const [seller, other] = [await app.signup(), await app.signup()];
  const [a, b] = [await upload(app, seller, jpeg), await upload(app, seller, jpeg)];
  const listing = await listingWithPhotos(app, seller, [a]);
  const theirs = await upload(app, other, jpeg);
  const neverSent = (await pendingUpload(seller)).id;
  const elsewhere = await upload(app, seller, jpeg);
  await listingWithPhotos(app, seller, [elsewhere]);

  const cases: [string, string[], number, string][] = [
    ['another user’s upload', [a, b, theirs], 403, 'upload-not-yours'],
    ['a photo of another listing', [b, elsewhere], 409, 'photo-already-attached'],
    ['a photo twice', [b, a, b], 400, 'duplicate-photo'],
    ['bytes never sent', [neverSent, a], 409, 'upload-missing'],
    ['an unknown upload', [b, randomUUID()], 400, 'unknown-upload'],
  ];
  for (const [label, photoIds, status, code] of cases) {
    const before = await world(seller, other);
    const res = await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { title: '바뀌면 안 됨', photoIds } });
    assertProblem(t, res, status, code, label);
    t.deepEqual(await world(seller, other), before, `${label}: nothing changed`);
  }
  // Another user cannot set this listing's photos, even to their own uploads.
  const before = await world(seller, other);
  assertProblem(t, await app.request('PATCH', `/v1/listings/${listing.id}`, { token: other.accessToken, body: { photoIds: [theirs] } }), 403, null, 'not the seller');
  t.deepEqual(await world(seller, other), before);
  // Control.
  const ok = await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { photoIds: [b, a] } });
  t.is(ok.status, 200, JSON.stringify(ok.body));
  t.deepEqual(ok.body.photos.map((p: { id: string }) => p.id), [b, a]);
});
