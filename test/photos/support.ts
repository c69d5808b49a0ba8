import { readFileSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import type { HttpResult, TestApi, TestUser } from '../support/api.ts';
import { expectStatus } from '../support/listings.ts';
import { waitFor } from '../support/workers.ts';

/** Photo test helpers: images made on the spot with sharp, uploads driven over HTTP as a client would. */

export { PROBLEMS as PROBLEM } from '../support/problems.ts';

/** Where the test camera "was": Seoul, 37°33′N 126°58′E. */
export const GPS_EXIF = {
  IFD0: { Make: 'GavelTestCam', Model: 'Leaky 1' },
  IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '37/1 33/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '126/1 58/1 0/1' },
};

/** A picture with some structure (two colour blocks), so a crop or a resize has something to do. */
export function picture(width: number, height: number, background = '#3366aa') {
  const block = { input: { create: { width: Math.max(1, Math.floor(width / 3)), height: Math.max(1, Math.floor(height / 3)), channels: 3 as const, background: '#ffcc00' } }, left: 0, top: 0 };
  return sharp({ create: { width, height, channels: 3, background } }).composite([block]);
}

export const jpegWithGps = (width: number, height: number) => picture(width, height).withExif(GPS_EXIF).jpeg({ quality: 90 }).toBuffer();

/**
 * A real HEVC-coded HEIC, as phones write them: 64×48, solid red 200/30/30, with EXIF carrying a
 * GPS position. The prebuilt libvips in sharp cannot encode HEVC, so it was made once on the
 * development machine with Debian's libheif-examples:
 *   a sharp JPEG (same colour, with GPS_EXIF below) → `heif-enc -q 60 red.jpg -o red-64x48.heic`.
 */
export const REAL_HEIC = readFileSync(new URL('./fixtures/red-64x48.heic', import.meta.url));

/** GPS position in an EXIF block (sharp's `metadata().exif`), read from the TIFF structure itself. */
export function gpsIn(exif: Buffer | undefined): { latitude: number[]; longitude: number[] } | null {
  if (!exif) return null;
  const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif;
  const little = tiff.subarray(0, 2).toString('latin1') === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const entries = (ifd: number) => Array.from({ length: u16(ifd) }, (_, i) => ifd + 2 + 12 * i).map((at) => ({ tag: u16(at), value: u32(at + 8) }));
  const gpsIfd = entries(u32(4)).find((e) => e.tag === 0x8825)?.value;
  if (!gpsIfd) return null;
  const rationals = (at: number) => [0, 1, 2].map((i) => u32(at + 8 * i) / u32(at + 8 * i + 4));
  const gps = entries(gpsIfd);
  const latitude = gps.find((e) => e.tag === 2);
  const longitude = gps.find((e) => e.tag === 4);
  if (!latitude || !longitude) return null;
  return { latitude: rationals(latitude.value), longitude: rationals(longitude.value) };
}

/** The input carries the test position; checked first, so "absent from the output" means something. */
export async function assertGpsPresent(t: ExecutionContext, bytes: Buffer, label: string): Promise<void> {
  t.deepEqual(gpsIn((await sharp(bytes).metadata()).exif), { latitude: [37, 33, 0], longitude: [126, 58, 0] }, `${label}: the input carries GPS`);
}

/** No EXIF, XMP or camera name anywhere in the output: neither as parsed metadata nor in the raw bytes. */
export async function assertNoMetadata(t: ExecutionContext, bytes: Buffer, label: string): Promise<void> {
  const meta = await sharp(bytes).metadata();
  t.is(meta.exif, undefined, `${label}: no EXIF`);
  t.is(meta.xmp, undefined, `${label}: no XMP`);
  t.is(gpsIn(meta.exif), null, `${label}: no GPS`);
  t.false(bytes.includes(Buffer.from('Exif\0')), `${label}: no APP1 Exif segment`);
  t.false(bytes.includes(Buffer.from('GavelTestCam')), `${label}: no camera name`);
}

export async function requestUpload(app: TestApi, user: TestUser, contentType: string, size: number): Promise<HttpResult> {
  return app.request('POST', '/v1/uploads', { token: user.accessToken, body: { contentType, size } });
}

/** Sends bytes to an upload target exactly as the API told the client to. */
export async function sendBytes(app: TestApi, target: { url: string; method: string; headers?: Record<string, string> }, bytes: Buffer, headers?: Record<string, string>) {
  const res = await fetch(new URL(target.url, app.baseUrl), { method: target.method, headers: headers ?? target.headers, body: bytes });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text } as HttpResult;
}

/** POST /v1/uploads then the PUT it asks for; returns the upload id. */
export async function upload(app: TestApi, user: TestUser, bytes: Buffer, contentType = 'image/jpeg'): Promise<string> {
  const target = await requestUpload(app, user, contentType, bytes.length);
  if (target.status !== 201) throw new Error(`upload refused: ${target.status} ${JSON.stringify(target.body)}`);
  const sent = await sendBytes(app, target.body, bytes);
  if (sent.status !== 204) throw new Error(`bytes refused: ${sent.status} ${JSON.stringify(sent.body)}`);
  return target.body.id;
}

let titles = 0;
export async function listWithPhotos(app: TestApi, seller: TestUser, photoIds: string[]): Promise<HttpResult> {
  return app.request('POST', '/v1/listings', {
    token: seller.accessToken,
    body: { title: `사진 상품 ${process.pid}-${titles++}`, description: '사진 있어요', categoryId: 1, price: 12_000, photoIds },
  });
}

export async function listingWithPhotos(app: TestApi, seller: TestUser, photoIds: string[]): Promise<any> {
  return expectStatus(await listWithPhotos(app, seller, photoIds), 201, 'listing with photos').body;
}

/** The listing once none of its photos is processing any more. */
export async function settledListing(app: TestApi, listingId: string, timeoutMs = 30_000): Promise<any> {
  return waitFor(
    `photos of ${listingId} processed`,
    async () => {
      const res = await app.request('GET', `/v1/listings/${listingId}`);
      return res.body.photos.every((p: { status: string }) => p.status !== 'processing') && res.body;
    },
    timeoutMs,
    100,
  );
}

export async function fetchBytes(app: TestApi, url: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const res = await fetch(new URL(url, app.baseUrl));
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Every file (not folder) the local object store holds, as object keys. */
export async function storedKeys(app: TestApi): Promise<string[]> {
  const root = join(app.deps.config.photos.dataDir, 'objects');
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))).sort();
}
