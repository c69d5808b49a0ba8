import test from 'ava';
import nock from 'nock';
import { createHash, createHmac } from 'node:crypto';
import { loadConfig } from '../../infra/config.ts';
import { createObjectStore } from '../../infra/object-store.ts';
import { S3ObjectStore } from '../../infra/s3-object-store.ts';
import { FAKE_AWS_ENV } from '../support/workers.ts';

/**
 * The S3 adapter without S3: presigned URLs are checked offline (their parts, and the SigV4
 * signature recomputed from the fake secret, so what it covers is known), and nock stands in for
 * the bucket to see the requests the adapter sends.
 */
Object.assign(process.env, FAKE_AWS_ENV);
const REGION = FAKE_AWS_ENV.AWS_REGION;
const AWS_HOST = `https://gavel-photos.s3.${REGION}.amazonaws.com`;
const MINIO = 'http://minio.test:9000';

test.before(() => {
  nock.disableNetConnect();
});
test.afterEach.always(() => {
  nock.cleanAll();
});
test.after.always(() => {
  nock.enableNetConnect();
});

const aws = () => new S3ObjectStore({ bucket: 'gavel-photos', region: REGION });
const minio = () => new S3ObjectStore({ bucket: 'gavel-photos', region: REGION, endpoint: MINIO });

/** RFC 3986 encoding, as SigV4 canonicalises query strings. */
const rfc3986 = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** The SigV4 signature of a presigned request, recomputed from the secret and the headers the client will send. */
function expectedSignature(url: URL, method: string, headers: Record<string, string>): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&');
  const signed = url.searchParams.get('X-Amz-SignedHeaders')!.split(';');
  const lower = Object.fromEntries(Object.entries({ ...headers, host: url.host }).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonicalHeaders = signed.map((name) => `${name}:${lower[name] ?? ''}\n`).join('');
  const canonical = [method, url.pathname, query, canonicalHeaders, signed.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const date = url.searchParams.get('X-Amz-Date')!;
  const scope = url.searchParams.get('X-Amz-Credential')!.split('/').slice(1).join('/');
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const [day, region, service] = scope.split('/') as [string, string, string];
  const key = hmac(hmac(hmac(hmac(`AWS4${FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY}`, day), region), service), 'aws4_request');
  return hmac(key, toSign).toString('hex');
}

for (const [label, store, host, path] of [
  ['AWS (virtual-hosted)', aws, `gavel-photos.s3.${REGION}.amazonaws.com`, '/uploads/u1/p1'],
  ['S3_ENDPOINT (path-style)', minio, 'minio.test:9000', '/gavel-photos/uploads/u1/p1'],
] as const) {
  test(`${label}: a presigned PUT binds bucket, key, type, size and expiry, offline`, async (t) => {
    const before = Date.now();
    const target = await store().presignUpload('uploads/u1/p1', 'image/jpeg', 1234, 900);
    t.is(target.method, 'PUT');
    t.deepEqual(target.headers, { 'Content-Type': 'image/jpeg', 'Content-Length': '1234' });
    t.false('fields' in target);
    t.true(Math.abs(target.expiresAt.getTime() - (before + 900_000)) < 5_000);

    const url = new URL(target.url);
    t.is(url.host, host);
    t.is(url.pathname, path);
    const q = Object.fromEntries(url.searchParams);
    t.is(q['X-Amz-Algorithm'], 'AWS4-HMAC-SHA256');
    t.regex(q['X-Amz-Credential']!, new RegExp(`^${FAKE_AWS_ENV.AWS_ACCESS_KEY_ID}/\\d{8}/${REGION}/s3/aws4_request$`));
    t.is(q['X-Amz-Expires'], '900');
    t.regex(q['X-Amz-Date']!, /^\d{8}T\d{6}Z$/);
    t.deepEqual(q['X-Amz-SignedHeaders']!.split(';'), ['content-length', 'content-type', 'host']);
    t.regex(q['X-Amz-Signature']!, /^[0-9a-f]{64}$/);
    // No checksum of an empty body baked in: S3 would compare it with the photo and refuse it.
    t.deepEqual(Object.keys(q).filter((k) => /checksum/i.test(k)), [], `checksum parameters in ${target.url}`);

    // The signature is right for exactly the headers handed to the client, and wrong for any other.
    t.is(q['X-Amz-Signature'], expectedSignature(url, 'PUT', target.headers!));
    t.not(q['X-Amz-Signature'], expectedSignature(url, 'PUT', { ...target.headers, 'Content-Type': 'text/html' }));
    t.not(q['X-Amz-Signature'], expectedSignature(url, 'PUT', { ...target.headers, 'Content-Length': '999999' }));
  });
}

test('publicUrl: the CDN when S3_PUBLIC_URL is set, else the bucket; createObjectStore picks S3 when a bucket is named', (t) => {
  t.is(aws().publicUrl('photos/l/p/display.jpg'), `${AWS_HOST}/photos/l/p/display.jpg`);
  t.is(minio().publicUrl('photos/l/p/thumb.jpg'), `${MINIO}/gavel-photos/photos/l/p/thumb.jpg`);
  const cdn = new S3ObjectStore({ bucket: 'gavel-photos', region: REGION, publicUrl: 'https://cdn.gavel.test/' });
  t.is(cdn.publicUrl('photos/l/p/display.jpg'), 'https://cdn.gavel.test/photos/l/p/display.jpg');
  t.is(createObjectStore(loadConfig({ NODE_ENV: 'development', S3_BUCKET: 'gavel-photos', AWS_REGION: REGION })).kind, 's3');
  t.is(createObjectStore(loadConfig({ NODE_ENV: 'development' })).kind, 'local');
});

test.serial('write sends the bytes with their type and a long cache life; read returns them', async (t) => {
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);
  const seen: { headers: Headers; body: Buffer }[] = [];
  const scope = nock(AWS_HOST)
    .put('/photos/l1/p1/display.jpg')
    .query(true)
    .reply(async (request: Request) => {
      seen.push({ headers: request.headers, body: Buffer.from(await request.arrayBuffer()) });
      return [200, '', { ETag: '"abc"' }];
    })
    .get('/photos/l1/p1/display.jpg')
    .query(true)
    .reply(200, bytes, { 'Content-Type': 'image/jpeg', 'Content-Length': String(bytes.length) });
  const store = aws();
  await store.write('photos/l1/p1/display.jpg', bytes, 'image/jpeg');
  t.is(seen.length, 1);
  t.deepEqual(seen[0]!.body, bytes);
  t.is(seen[0]!.headers.get('content-type'), 'image/jpeg');
  t.is(seen[0]!.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.regex(seen[0]!.headers.get('authorization') ?? '', new RegExp(`^AWS4-HMAC-SHA256 Credential=${FAKE_AWS_ENV.AWS_ACCESS_KEY_ID}/\\d{8}/${REGION}/s3/aws4_request`));
  t.deepEqual(await store.read('photos/l1/p1/display.jpg'), bytes);
  t.true(scope.isDone());
});

test.serial('sizeOf is the HEAD Content-Length, null on 404; read is null on NoSuchKey', async (t) => {
  const scope = nock(AWS_HOST)
    .head('/uploads/u1/here')
    .reply(200, '', { 'Content-Length': '4321', 'Content-Type': 'image/jpeg' })
    .head('/uploads/u1/gone')
    .reply(404)
    .get('/uploads/u1/gone')
    .query(true)
    .reply(404, '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>', {
      'Content-Type': 'application/xml',
    });
  const store = aws();
  t.is(await store.sizeOf('uploads/u1/here'), 4321);
  t.is(await store.sizeOf('uploads/u1/gone'), null);
  t.is(await store.read('uploads/u1/gone'), null);
  t.true(scope.isDone());
});

test.serial('sizeOf and read throw on errors other than not-found, so the job retries', async (t) => {
  nock(AWS_HOST)
    .head('/uploads/u1/secret')
    .reply(403)
    .get('/uploads/u1/secret')
    .query(true)
    .reply(403, '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>', { 'Content-Type': 'application/xml' });
  const store = aws();
  await t.throwsAsync(store.sizeOf('uploads/u1/secret'));
  await t.throwsAsync(store.read('uploads/u1/secret'));
});

test.serial('remove sends one DeleteObjects listing every key (path-style too), and throws when S3 reports a key it could not delete', async (t) => {
  const keys = ['uploads/u1/p1', 'photos/l1/p1/display.jpg', 'photos/l1/p1/thumb.jpg'];
  const bodies: string[] = [];
  const headers: Headers[] = [];
  nock(MINIO)
    .post('/gavel-photos/')
    .query((q) => 'delete' in q)
    .times(2)
    .reply(async (request: Request) => {
      headers.push(request.headers);
      bodies.push(await request.text());
      const failed = bodies.length === 2 ? '<Error><Key>photos/l1/p1/thumb.jpg</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>' : '';
      return [200, `<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${failed}</DeleteResult>`, { 'Content-Type': 'application/xml' }];
    });
  const store = minio();
  await store.remove(keys);
  t.is(bodies.length, 1);
  const listed = [...bodies[0]!.matchAll(/<Object><Key>([^<]+)<\/Key><\/Object>/g)].map((m) => m[1]);
  t.deepEqual(listed, keys);
  t.regex(bodies[0]!, /<Quiet>true<\/Quiet>/);
  // S3 requires an integrity header on DeleteObjects.
  t.true(headers[0]!.has('content-md5') || [...headers[0]!.keys()].some((k) => k.startsWith('x-amz-checksum-')), [...headers[0]!.keys()].join(', '));

  const error = await t.throwsAsync(store.remove(keys));
  t.regex(error?.message ?? '', /thumb\.jpg AccessDenied/);
  await store.remove([]);
  t.is(bodies.length, 2, 'no request for nothing to delete');
});

test.serial('remove batches more than 1000 keys into several requests', async (t) => {
  const keys = Array.from({ length: 2345 }, (_, i) => `photos/l/p${i}/thumb.jpg`);
  const counts: number[] = [];
  nock(AWS_HOST)
    .post('/')
    .query((q) => 'delete' in q)
    .times(3)
    .reply(async (request: Request) => {
      counts.push([...(await request.text()).matchAll(/<Object>/g)].length);
      return [200, '<?xml version="1.0" encoding="UTF-8"?><DeleteResult/>', { 'Content-Type': 'application/xml' }];
    });
  await aws().remove(keys);
  t.deepEqual(counts, [1000, 1000, 345]);
});
