import test from 'ava';
import { rm } from 'node:fs/promises';
import type { ImageProcessor } from '../../domain/photos/image-processor.ts';
import type { ObjectStore } from '../../domain/photos/object-store.ts';
import { processPhoto } from '../../domain/photos/process-photo.ts';
import type { LocalObjectStore } from '../../infra/local-object-store.ts';
import { createSharpImageProcessor } from '../../infra/sharp-image-processor.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { sql } from '../support/workers.ts';
import { jpegWithGps, listingWithPhotos, storedKeys, upload } from './support.ts';

/**
 * The worker's use case called directly (no workers run in this file, so nothing else picks the
 * jobs up): what it does when the photo changes under it. Whatever happens, no file is left behind
 * that no row points to.
 */
let app: TestApi;
let images: ImageProcessor;
test.before(async () => {
  app = await startTestApi('photo_races');
  images = createSharpImageProcessor(app.deps.config.photos.images);
});
test.after.always(async () => {
  await app?.close();
});

const em = () => app.db.orm.em.fork();
const filesOf = async (photoId: string) => (await storedKeys(app)).filter((key) => key.includes(photoId));

async function attachedPhoto(seller: TestUser) {
  const photoId = await upload(app, seller, await jpegWithGps(640, 480));
  const listing = await listingWithPhotos(app, seller, [photoId]);
  return { photoId, listingId: listing.id as string };
}

test('processing twice does the work once', async (t) => {
  const seller = await app.signup();
  const { photoId } = await attachedPhoto(seller);
  t.deepEqual(await processPhoto(em(), app.deps.objects, images, photoId), { result: 'ready', width: 640, height: 480 });
  const files = await filesOf(photoId);
  t.is(files.length, 2);
  t.deepEqual(await processPhoto(em(), app.deps.objects, images, photoId), { result: 'skipped', reason: 'already ready' });
  t.deepEqual(await filesOf(photoId), files);
});

test('a photo removed before its job runs is skipped', async (t) => {
  const seller = await app.signup();
  const { photoId, listingId } = await attachedPhoto(seller);
  t.is((await app.request('PATCH', `/v1/listings/${listingId}`, { token: seller.accessToken, body: { photoIds: [] } })).status, 200);
  t.deepEqual(await processPhoto(em(), app.deps.objects, images, photoId), { result: 'skipped', reason: 'photo no longer attached' });
  t.false((await filesOf(photoId)).some((key) => key.startsWith('photos/')), 'nothing derived');
});

test('a photo removed while it is being processed leaves no derived file and no original', async (t) => {
  const seller = await app.signup();
  const { photoId, listingId } = await attachedPhoto(seller);
  const removing: ImageProcessor = {
    async derive(bytes, format) {
      const derived = await images.derive(bytes, format);
      const res = await app.request('DELETE', `/v1/listings/${listingId}`, { token: seller.accessToken });
      if (res.status !== 204) throw new Error(`delete failed: ${res.status}`);
      return derived;
    },
  };
  t.deepEqual(await processPhoto(em(), app.deps.objects, removing, photoId), { result: 'skipped', reason: 'photo removed meanwhile' });
  t.deepEqual(await filesOf(photoId), []);
  t.deepEqual(await sql(app, 'select id from listing_photos where id = ?', [photoId]), []);
});

test('a photo whose original is gone fails as original-missing', async (t) => {
  const seller = await app.signup();
  const { photoId } = await attachedPhoto(seller);
  await rm((app.deps.objects as LocalObjectStore).path(`uploads/${seller.id}/${photoId}`));
  t.deepEqual(await processPhoto(em(), app.deps.objects, images, photoId), { result: 'failed', reason: 'original-missing' });
  t.deepEqual(await sql(app, 'select status, failure from listing_photos where id = ?', [photoId]), [{ status: 'failed', failure: 'original-missing' }]);
});

test('two deliveries of one photo at once leave it ready with both derived files: the loser removes nothing the winner wrote', async (t) => {
  const seller = await app.signup();
  const { photoId, listingId } = await attachedPhoto(seller);
  const results = await Promise.all([1, 2].map(() => processPhoto(em(), app.deps.objects, images, photoId)));
  t.is(results.filter((r) => r.result === 'ready').length, 1, JSON.stringify(results));
  t.deepEqual(await sql(app, 'select status from listing_photos where id = ?', [photoId]), [{ status: 'ready' }]);
  t.deepEqual(await filesOf(photoId), [`photos/${listingId}/${photoId}/display.jpg`, `photos/${listingId}/${photoId}/thumb.jpg`]);
});

test('a delivery that read the original just before another delivery finished removes none of the files the winner wrote', async (t) => {
  const seller = await app.signup();
  const { photoId, listingId } = await attachedPhoto(seller);
  // This delivery has the original in hand; the other one completes (ready, original removed) while it derives.
  const overtaken: ImageProcessor = {
    async derive(bytes, format) {
      t.like(await processPhoto(em(), app.deps.objects, images, photoId), { result: 'ready' });
      return images.derive(bytes, format);
    },
  };
  t.deepEqual(await processPhoto(em(), app.deps.objects, overtaken, photoId), { result: 'skipped', reason: 'processed by another delivery' });
  t.deepEqual(await sql(app, 'select status from listing_photos where id = ?', [photoId]), [{ status: 'ready' }]);
  t.deepEqual(await filesOf(photoId), [`photos/${listingId}/${photoId}/display.jpg`, `photos/${listingId}/${photoId}/thumb.jpg`]);
});

test('a delivery that finds the original gone because another delivery just finished leaves the ready photo alone', async (t) => {
  const seller = await app.signup();
  const { photoId, listingId } = await attachedPhoto(seller);
  // This delivery passed the status check; the other one completes (ready, original removed) before it reads.
  const late: ObjectStore = Object.create(app.deps.objects, {
    read: {
      value: async (key: string) => {
        t.like(await processPhoto(em(), app.deps.objects, images, photoId), { result: 'ready' });
        return app.deps.objects.read(key);
      },
    },
  });
  t.deepEqual(await processPhoto(em(), late, images, photoId), { result: 'skipped', reason: 'processed by another delivery' });
  t.deepEqual(await sql(app, 'select status, failure from listing_photos where id = ?', [photoId]), [{ status: 'ready', failure: null }]);
  t.deepEqual(await filesOf(photoId), [`photos/${listingId}/${photoId}/display.jpg`, `photos/${listingId}/${photoId}/thumb.jpg`]);
});
