import test from 'ava';
import sharp from 'sharp';
import { UnusableImageError } from '../../domain/photos/image-processor.ts';
import { createSharpImageProcessor } from '../../infra/sharp-image-processor.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { jobTrouble, recordingSms, sql, startInProcessWorkers, troubleIn, type InProcessWorkers } from '../support/workers.ts';
import { jpegWithGps, listingWithPhotos, picture, REAL_HEIC, settledListing, storedKeys, upload } from './support.ts';

/**
 * Files that are not usable photos reach a real worker: each ends as a failed photo with a reason,
 * its original is deleted, no job fails or retries, and the same worker then processes a good
 * photo. The upload only promises bytes; the worker is the one that looks at them.
 */
let app: TestApi;
let workers: InProcessWorkers;
let seller: TestUser;

test.before(async () => {
  app = await startTestApi('photo_hostile');
  workers = await startInProcessWorkers(app, recordingSms());
  seller = await app.signup();
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
});

async function hostileCases(): Promise<[string, string, Buffer, string][]> {
  const png = await picture(600, 400).png().toBuffer();
  // 8000×6250 = 50 megapixels of one colour: 150 MB once decoded, about 160 kB on disk.
  const bomb = await sharp({ create: { width: 8000, height: 6250, channels: 3, background: '#ffffff' } }).png({ compressionLevel: 9 }).toBuffer();
  return [
    ['a text file declared as JPEG', 'image/jpeg', Buffer.from('Dear buyer, this is not a photo. '.repeat(40)), 'not-an-image'],
    ['an SVG declared as PNG', 'image/png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'), 'not-an-image'],
    ['a truncated PNG', 'image/png', png.subarray(0, Math.floor(png.length * 0.6)), 'undecodable'],
    ['a JPEG header and nothing more', 'image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]), 'undecodable'],
    ['a truncated HEIC', 'image/heic', REAL_HEIC.subarray(0, 300), 'undecodable'],
    ['a 50-megapixel PNG bomb', 'image/png', bomb, 'too-many-pixels'],
  ];
}

test.serial('each hostile file fails with its reason, and the worker goes on to process a good photo', async (t) => {
  const cases = await hostileCases();
  const bomb = cases.at(-1)![2];
  t.true(bomb.length < 1_000_000, `the bomb is small on disk: ${bomb.length}`);
  t.deepEqual(await sharp(bomb).metadata().then((m) => [m.width, m.height]), [8000, 6250]);

  for (const [label, contentType, bytes, reason] of cases) {
    const photoId = await upload(app, seller, bytes, contentType);
    const listing = await listingWithPhotos(app, seller, [photoId]);
    const settled = await settledListing(app, listing.id);
    t.deepEqual(settled.photos, [{ id: photoId, status: 'failed', url: null, thumbnailUrl: null }], label);
    const [row] = await sql(app, 'select status, failure, display_key, thumbnail_key from listing_photos where id = ?', [photoId]);
    t.deepEqual(row, { status: 'failed', failure: reason, display_key: null, thumbnail_key: null }, label);
    t.false((await storedKeys(app)).some((key) => key.endsWith(photoId)), `${label}: the original is deleted`);

    // The same workers, right after: a good photo still goes through.
    const goodId = await upload(app, seller, await jpegWithGps(800, 600));
    const good = await settledListing(app, (await listingWithPhotos(app, seller, [goodId])).id);
    t.is(good.photos[0].status, 'ready', `a good photo after ${label}`);
  }
  // A rejected file is an answer, not an error: no failed or retried job, nothing logged as trouble.
  t.deepEqual(await jobTrouble(workers.jobs), []);
  t.deepEqual(troubleIn(workers.logs), []);
  const reasons = await sql(app, `select failure, count(*)::int as n from listing_photos where status = 'failed' group by failure order by failure`);
  t.deepEqual(reasons, [
    { failure: 'not-an-image', n: 2 },
    { failure: 'too-many-pixels', n: 1 },
    { failure: 'undecodable', n: 3 },
  ]);
});

test('the pixel limit holds on every decoding path, HEIC (WebAssembly) and AV1 HEIF included', async (t) => {
  const strict = createSharpImageProcessor({ maxPixels: 200, displaySize: 1600, thumbnailSize: 320 });
  const avifHeif = await picture(20, 20).heif({ compression: 'av1' }).toBuffer();
  const jpeg = await picture(20, 20).jpeg().toBuffer();
  for (const [label, bytes, format] of [
    ['HEIC 64×48', REAL_HEIC, 'heic'],
    ['AV1 HEIF 20×20', avifHeif, 'heic'],
    ['JPEG 20×20', jpeg, 'jpeg'],
  ] as const) {
    const error = await t.throwsAsync(strict.derive(bytes, format), { instanceOf: UnusableImageError }, label);
    t.is(error?.code, 'too-many-pixels', label);
  }
  // Control: the same files within the limit are fine (64×48 = 3,072 pixels is the largest).
  const roomy = createSharpImageProcessor({ maxPixels: 4_000, displaySize: 1600, thumbnailSize: 320 });
  for (const [bytes, format] of [[REAL_HEIC, 'heic'], [avifHeif, 'heic'], [jpeg, 'jpeg']] as const) {
    t.is((await roomy.derive(bytes, format)).thumbnail.width, 320);
  }
});
