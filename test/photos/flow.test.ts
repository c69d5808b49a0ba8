import test from 'ava';
import sharp from 'sharp';
import { sniffImageFormat } from '../../domain/photos/image-types.ts';
import { createSharpImageProcessor } from '../../infra/sharp-image-processor.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { jobTrouble, recordingSms, sql, startInProcessWorkers, troubleIn, type InProcessWorkers } from '../support/workers.ts';
import {
  assertGpsPresent,
  assertNoMetadata,
  fetchBytes,
  GPS_EXIF,
  jpegWithGps,
  listingWithPhotos,
  picture,
  REAL_HEIC,
  requestUpload,
  sendBytes,
  settledListing,
  storedKeys,
} from './support.ts';

/**
 * A photo's whole way through the HTTP API and the real workers, on the local-disk store: ask for an
 * upload, send the bytes where told, attach to a listing, let a worker make the display size and
 * thumbnail, fetch both through the app. Every format the API accepts, with GPS in the input.
 */
let app: TestApi;
let workers: InProcessWorkers | undefined;

test.before(async () => {
  app = await startTestApi('photo_flow');
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
});

interface Case {
  label: string;
  contentType: string;
  bytes: Buffer;
  /** Stored size of the input, and the display size expected from it (fits 1600, never enlarged). */
  input: [number, number];
  display: [number, number];
  gps: boolean;
}

async function cases(): Promise<Case[]> {
  return [
    { label: 'JPEG', contentType: 'image/jpeg', bytes: await jpegWithGps(2400, 1800), input: [2400, 1800], display: [1600, 1200], gps: true },
    { label: 'PNG', contentType: 'image/png', bytes: await picture(1000, 700).withExif(GPS_EXIF).png().toBuffer(), input: [1000, 700], display: [1000, 700], gps: true },
    { label: 'WebP', contentType: 'image/webp', bytes: await picture(700, 2000).withExif(GPS_EXIF).webp().toBuffer(), input: [700, 2000], display: [560, 1600], gps: true },
    // EXIF orientation 6 (turn 90° clockwise): stored 600×400, shown 400×600.
    {
      label: 'JPEG turned by EXIF',
      contentType: 'image/jpeg',
      bytes: await picture(600, 400).withExif(GPS_EXIF).withMetadata({ orientation: 6 }).jpeg().toBuffer(),
      input: [600, 400],
      display: [400, 600],
      gps: true,
    },
    { label: 'HEIC (HEVC, from libheif)', contentType: 'image/heic', bytes: REAL_HEIC, input: [64, 48], display: [64, 48], gps: false },
    // The HEIF container with AV1 inside, the kind sharp can write: the HEIF path beyond HEVC.
    { label: 'HEIF (AV1)', contentType: 'image/heif', bytes: await picture(640, 480).withExif(GPS_EXIF).heif({ compression: 'av1' }).toBuffer(), input: [640, 480], display: [640, 480], gps: true },
  ];
}

test.serial('upload, attach, process: ready photos in order, resized, without metadata, originals deleted', async (t) => {
  const seller = await app.signup();
  const all = await cases();
  for (const c of all) {
    const meta = await sharp(c.bytes).metadata();
    t.deepEqual([meta.width, meta.height], c.input, `${c.label}: input size`);
    if (c.display[0] < c.display[1] && c.input[0] > c.input[1]) t.is(meta.orientation, 6, `${c.label}: input orientation`);
    if (c.gps) await assertGpsPresent(t, c.bytes, c.label);
  }

  const ids: string[] = [];
  for (const c of all) {
    const target = await requestUpload(app, seller, c.contentType, c.bytes.length);
    t.is(target.status, 201, JSON.stringify(target.body));
    t.like(target.body, { method: 'PUT', headers: { 'Content-Type': c.contentType } });
    t.regex(target.body.id, /^[0-9a-f-]{36}$/);
    t.regex(target.body.url, new RegExp(`/v1/uploads/${target.body.id}/content\\?`));
    t.true(Date.parse(target.body.expiresAt) > Date.now());
    const sent = await sendBytes(app, target.body, c.bytes);
    t.is(sent.status, 204, `${c.label}: ${JSON.stringify(sent.body)}`);
    ids.push(target.body.id);
  }
  const originals = ids.map((id) => `uploads/${seller.id}/${id}`);
  t.deepEqual(await storedKeys(app), [...originals].sort(), 'the originals are stored, nothing else yet');
  t.deepEqual(
    (await sql(app, 'select id, status, received_size::int as size from uploads where user_id = ? order by created_at', [seller.id])).map((r) => [r.status, r.size]),
    all.map((c) => ['uploaded', c.bytes.length]),
  );

  // Shown at once, in the order given, as processing.
  const order = [...ids].reverse();
  const created = await listingWithPhotos(app, seller, order);
  t.deepEqual(created.photos, order.map((id) => ({ id, status: 'processing', url: null, thumbnailUrl: null })));
  const shown = await app.request('GET', `/v1/listings/${created.id}`);
  t.deepEqual(shown.body.photos, created.photos);
  t.deepEqual((await sql(app, 'select status from uploads where user_id = ?', [seller.id])).map((r) => r.status), ids.map(() => 'attached'));

  workers = await startInProcessWorkers(app, recordingSms());
  const settled = await settledListing(app, created.id);
  t.deepEqual(settled.photos.map((p: { id: string }) => p.id), order, 'still in order');

  for (const photo of settled.photos) {
    const c = all[ids.indexOf(photo.id)]!;
    t.is(photo.status, 'ready', c.label);
    t.is(photo.url, `/media/photos/${created.id}/${photo.id}/display.jpg`);
    t.is(photo.thumbnailUrl, `/media/photos/${created.id}/${photo.id}/thumb.jpg`);

    const display = await fetchBytes(app, photo.url);
    t.is(display.status, 200, c.label);
    t.is(display.type, 'image/jpeg');
    const displayMeta = await sharp(display.bytes).metadata();
    t.is(displayMeta.format, 'jpeg', c.label);
    t.deepEqual([displayMeta.width, displayMeta.height], c.display, `${c.label}: display size`);
    t.true(Math.max(displayMeta.width, displayMeta.height) <= 1600);

    const thumb = await fetchBytes(app, photo.thumbnailUrl);
    t.is(thumb.status, 200, c.label);
    t.is(thumb.type, 'image/jpeg');
    const thumbMeta = await sharp(thumb.bytes).metadata();
    t.is(thumbMeta.format, 'jpeg');
    t.deepEqual([thumbMeta.width, thumbMeta.height], [320, 320], `${c.label}: thumbnail size`);

    await assertNoMetadata(t, display.bytes, `${c.label} display`);
    await assertNoMetadata(t, thumb.bytes, `${c.label} thumbnail`);
    const [row] = await sql(app, 'select width, height, failure from listing_photos where id = ?', [photo.id]);
    t.deepEqual(row, { width: c.display[0], height: c.display[1], failure: null });
  }

  // The HEIC's pixels really were decoded: its thumbnail is the fixture's red.
  const heic = settled.photos[order.indexOf(ids[all.findIndex((c) => c.contentType === 'image/heic')]!)];
  const { channels } = await sharp((await fetchBytes(app, heic.thumbnailUrl)).bytes).stats();
  t.true(channels[0]!.mean > 170 && channels[1]!.mean < 60 && channels[2]!.mean < 60, `red HEIC: ${channels.map((c) => Math.round(c.mean))}`);

  // Originals (which carry the GPS position) are gone; only the derived images remain.
  const stored = await storedKeys(app);
  for (const key of originals) t.false(stored.includes(key), `${key} deleted`);
  t.is(stored.length, 2 * ids.length);
  t.true(stored.every((key) => key.startsWith(`photos/${created.id}/`)));
  t.deepEqual(await jobTrouble(workers.jobs), []);
  t.deepEqual(troubleIn(workers.logs), []);
});

test.serial('media URLs serve only derived photos', async (t) => {
  const seller = await app.signup();
  const target = await requestUpload(app, seller, 'image/jpeg', 16);
  t.is((await sendBytes(app, target.body, Buffer.from('0123456789abcdef'))).status, 204);
  t.true((await storedKeys(app)).includes(`uploads/${seller.id}/${target.body.id}`));
  const missing = await app.request('GET', `/media/photos/${target.body.id}/${target.body.id}/display.jpg`);
  t.is(missing.status, 404);
  t.regex(missing.headers.get('content-type') ?? '', /^application\/problem\+json/);
  // The stored original is not reachable through /media, whatever the spelling.
  for (const path of [
    `/media/uploads/${seller.id}/${target.body.id}`,
    `/media/photos/${seller.id}/${target.body.id}/original`,
    `/media/photos/..%2Fuploads/${seller.id}/${target.body.id}`,
    `/media/photos/${seller.id}/..%2F..%2Fuploads%2F${seller.id}%2F${target.body.id}/display.jpg`,
  ]) {
    const res = await app.request('GET', path);
    t.true(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
    t.false(String(res.body).includes('0123456789abcdef'), path);
  }
});

test('the format is judged by the bytes, never by a declared type', async (t) => {
  const jpeg = await picture(8, 8).jpeg().toBuffer();
  const png = await picture(8, 8).png().toBuffer();
  const webp = await picture(8, 8).webp().toBuffer();
  const avifHeif = await picture(8, 8).heif({ compression: 'av1' }).toBuffer();
  t.is(sniffImageFormat(jpeg), 'jpeg');
  t.is(sniffImageFormat(png), 'png');
  t.is(sniffImageFormat(webp), 'webp');
  t.is(sniffImageFormat(REAL_HEIC), 'heic');
  t.is(avifHeif.subarray(8, 12).toString('latin1'), 'avif', 'sharp writes AV1 HEIF with the avif brand');
  t.is(sniffImageFormat(avifHeif), 'heic');
  // A HEIF whose major brand is one of no HEIF kind (MIAF), naming heic among its compatible brands.
  const miaf = Buffer.from(REAL_HEIC);
  miaf.write('miaf', 8, 'latin1');
  t.deepEqual(miaf.subarray(16, 28).toString('latin1'), 'mif1heicmiaf');
  t.is(sniffImageFormat(miaf), 'heic');
  for (const [label, bytes] of [
    ['text', Buffer.from('hello, this is not a photo at all')],
    ['empty', Buffer.alloc(0)],
    ['GIF', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')],
    ['MP4 video', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\0\0isommp41', 'latin1')])],
    ['QuickTime', Buffer.concat([Buffer.from([0, 0, 0, 0x14]), Buffer.from('ftypqt  \0\0\0\0qt  ', 'latin1')])],
    ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['JPEG signature cut short', Buffer.from([0xff, 0xd8])],
  ] as const) {
    t.is(sniffImageFormat(bytes as Buffer), null, label);
  }
});

test('transparent pixels become white in the JPEG outputs, not black', async (t) => {
  const images = createSharpImageProcessor({ maxPixels: 40_000_000, displaySize: 1600, thumbnailSize: 320 });
  const clear = { r: 0, g: 0, b: 0, alpha: 0 };
  for (const [label, bytes, format] of [
    ['PNG', await sharp({ create: { width: 200, height: 100, channels: 4, background: clear } }).png().toBuffer(), 'png'],
    ['WebP', await sharp({ create: { width: 200, height: 100, channels: 4, background: clear } }).webp({ lossless: true }).toBuffer(), 'webp'],
  ] as const) {
    t.true((await sharp(bytes).metadata()).hasAlpha, label);
    const { display, thumbnail } = await images.derive(bytes, format);
    for (const out of [display, thumbnail]) {
      const { channels } = await sharp(out.bytes).stats();
      t.deepEqual(channels.map((c) => Math.round(c.mean)), [255, 255, 255], label);
    }
  }
});
