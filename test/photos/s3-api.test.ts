import test from 'ava';
import nock from 'nock';
import sharp from 'sharp';
import { processPhoto } from '../../domain/photos/process-photo.ts';
import { createSharpImageProcessor } from '../../infra/sharp-image-processor.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { FAKE_AWS_ENV, sql } from '../support/workers.ts';
import { assertGpsPresent, assertNoMetadata, jpegWithGps, listWithPhotos, PROBLEM, requestUpload } from './support.ts';

/**
 * The app with S3_BUCKET set: uploads go straight to the bucket, so attaching one asks the bucket
 * (HEAD) whether the bytes arrived, and the worker reads and writes through the S3 adapter. nock
 * stands in for the bucket; the app and its database are real.
 */
Object.assign(process.env, FAKE_AWS_ENV);
const BUCKET = `https://gavel-photos.s3.${FAKE_AWS_ENV.AWS_REGION}.amazonaws.com`;

let app: TestApi;
test.before(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1'));
  app = await startTestApi('photo_s3', { S3_BUCKET: 'gavel-photos', AWS_REGION: FAKE_AWS_ENV.AWS_REGION });
});
test.after.always(async () => {
  await app?.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

test.serial('an upload is a presigned PUT to the bucket; the app mounts no upload or media route of its own', async (t) => {
  const user = await app.signup();
  const target = await requestUpload(app, user, 'image/webp', 5000);
  t.is(target.status, 201);
  const url = new URL(target.body.url);
  t.is(url.origin, BUCKET);
  t.is(url.pathname, `/uploads/${user.id}/${target.body.id}`);
  t.deepEqual(target.body.headers, { 'Content-Type': 'image/webp', 'Content-Length': '5000' });
  t.is(url.searchParams.get('X-Amz-SignedHeaders'), 'content-length;content-type;host');
  t.is((await app.request('PUT', `/v1/uploads/${target.body.id}/content?expires=1&signature=${'a'.repeat(43)}`, { raw: 'x' })).status, 404);
  t.is((await app.request('GET', `/media/photos/${user.id}/${target.body.id}/display.jpg`)).status, 404);
});

test.serial('attaching asks the bucket: bytes missing or longer than declared are upload-missing; the right size is attached and processed', async (t) => {
  const seller = await app.signup();
  const jpeg = await jpegWithGps(2000, 1500);
  await assertGpsPresent(t, jpeg, 'input');
  const target = await requestUpload(app, seller, 'image/jpeg', jpeg.length);
  const id: string = target.body.id;
  const key = `/uploads/${seller.id}/${id}`;
  const state = async () => ({
    uploads: await sql(app, 'select status, received_size from uploads where id = ?', [id]),
    listings: await sql(app, 'select id from listings where seller_id = ?', [seller.id]),
  });
  const before = await state();

  nock(BUCKET).head(key).reply(404);
  const missing = await listWithPhotos(app, seller, [id]);
  t.is(missing.status, 409, JSON.stringify(missing.body));
  t.is(missing.body.type, `${PROBLEM}upload-missing`);
  t.deepEqual(await state(), before);

  nock(BUCKET).head(key).reply(200, '', { 'Content-Length': String(jpeg.length + 1) });
  t.is((await listWithPhotos(app, seller, [id])).body.type, `${PROBLEM}upload-missing`, 'more bytes than declared');
  t.deepEqual(await state(), before);

  nock(BUCKET).head(key).reply(200, '', { 'Content-Length': String(jpeg.length) });
  const created = await listWithPhotos(app, seller, [id]);
  t.is(created.status, 201, JSON.stringify(created.body));
  t.deepEqual(created.body.photos, [{ id, status: 'processing', url: null, thumbnailUrl: null }]);
  t.deepEqual(await sql(app, 'select status, received_size::int as size from uploads where id = ?', [id]), [{ status: 'attached', size: jpeg.length }]);

  // The worker's use case with the app's S3 adapter: read the original, write two JPEGs, delete it.
  const written = new Map<string, { type: string | null; bytes: Buffer }>();
  const deleted: string[] = [];
  const derivedPath = new RegExp(`^/photos/${created.body.id}/${id}/(display|thumb)\\.jpg`);
  nock(BUCKET)
    .get(key)
    .query(true)
    .reply(200, jpeg, { 'Content-Type': 'image/jpeg', 'Content-Length': String(jpeg.length) })
    .put(derivedPath)
    .query(true)
    .times(2)
    .reply(async (request: Request) => {
      written.set(new URL(request.url).pathname, { type: request.headers.get('content-type'), bytes: Buffer.from(await request.arrayBuffer()) });
      return [200, ''];
    })
    .post('/')
    .query((q) => 'delete' in q)
    .reply(async (request: Request) => {
      deleted.push(...[...(await request.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]!));
      return [200, '<?xml version="1.0" encoding="UTF-8"?><DeleteResult/>', { 'Content-Type': 'application/xml' }];
    });
  const result = await processPhoto(app.db.orm.em.fork(), app.deps.objects, createSharpImageProcessor(app.deps.config.photos.images), id);
  t.deepEqual(result, { result: 'ready', width: 1600, height: 1200 });
  t.deepEqual(deleted, [`uploads/${seller.id}/${id}`], 'the original, with its GPS, is deleted');

  const display = written.get(`/photos/${created.body.id}/${id}/display.jpg`)!;
  const thumb = written.get(`/photos/${created.body.id}/${id}/thumb.jpg`)!;
  t.is(display.type, 'image/jpeg');
  t.deepEqual(await sharp(display.bytes).metadata().then((m) => [m.format, m.width, m.height]), ['jpeg', 1600, 1200]);
  t.deepEqual(await sharp(thumb.bytes).metadata().then((m) => [m.format, m.width, m.height]), ['jpeg', 320, 320]);
  await assertNoMetadata(t, display.bytes, 'display');
  await assertNoMetadata(t, thumb.bytes, 'thumbnail');

  const shown = await app.request('GET', `/v1/listings/${created.body.id}`);
  t.deepEqual(shown.body.photos, [
    { id, status: 'ready', url: `${BUCKET}/photos/${created.body.id}/${id}/display.jpg`, thumbnailUrl: `${BUCKET}/photos/${created.body.id}/${id}/thumb.jpg` },
  ]);
  t.true(nock.isDone(), `unused stand-ins: ${nock.pendingMocks()}`);
});
