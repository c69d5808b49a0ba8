import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { API_TYPES_FILE, renderApiTypes } from '../../tools/web-api-types.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

/**
 * How the web page is served: `/` and the modules of web/ as JavaScript (types stripped, no build
 * step), under the CSP (same-origin scripts only, none inline), with strong ETags; and the contract
 * check: web/api-types.ts is what openapi-typescript makes of the document the app serves now.
 */
let app: TestApi;
test.before(async () => {
  app = await startTestApi('web_serving');
});
test.after.always(async () => {
  await app?.close();
});

const WEB = new URL('../../web/', import.meta.url);

/** A GET as a browser revalidates: only the headers given. */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(app.baseUrl + path, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

test('GET / is the page: HTML loading one same-origin module, no inline script, under a CSP allowing only own scripts', async (t) => {
  const res = await app.request('GET', '/');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
  t.regex(res.body, /<html lang="ko">/);
  t.regex(res.body, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  t.regex(res.body, /<script type="module" src="\/web\/main\.ts"><\/script>/);
  t.notRegex(res.body, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script');
  t.notRegex(res.body, /\son[a-z]+=/i, 'no inline event handler');
  const csp = res.headers.get('content-security-policy') ?? '';
  t.regex(csp, /script-src 'self'(;|$)/);
  t.regex(csp, /script-src-attr 'none'/);
});

test('photos may come from the bucket or CDN that S3_PUBLIC_URL names, and from nowhere else', async (t) => {
  t.regex((await app.request('GET', '/')).headers.get('content-security-policy') ?? '', /img-src 'self' data:(;|$)/);
  const withBucket = await startTestApi('web_serving_s3', { S3_BUCKET: 'photos', S3_PUBLIC_URL: 'https://cdn.gavel.example/photos' });
  t.teardown(() => withBucket.close());
  t.regex((await withBucket.request('GET', '/')).headers.get('content-security-policy') ?? '', /img-src 'self' data: https:\/\/cdn\.gavel\.example(;|$)/);
});

test('every module the page imports is served as JavaScript that parses, with no type left in it', async (t) => {
  const seen = new Set<string>();
  const queue = ['/web/main.ts'];
  const dir = await mkdtemp(join(tmpdir(), 'gavel-web-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await fetch(app.baseUrl + path);
    t.is(res.status, 200, path);
    t.is(res.headers.get('content-type'), 'text/javascript; charset=utf-8', path);
    const body = await res.text();
    // Parsed as a JavaScript module by Node itself: a type annotation left behind is a syntax error.
    const file = join(dir, `${seen.size}.mjs`);
    await writeFile(file, body);
    await t.notThrowsAsync(promisify(execFile)(process.execPath, ['--check', file]), path);
    for (const [, specifier] of body.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gm)) queue.push(new URL(specifier!, app.baseUrl + path).pathname);
  }
  const pages = await readdir(new URL('pages/', WEB));
  for (const page of pages) t.true(seen.has(`/web/pages/${page}`), `${page} is reached from main.ts`);
  t.false(seen.has('/web/api-types.ts'), 'the generated types are imported as types only, so the browser never loads them');
});

test('assets carry a strong ETag and revalidate: a matching If-None-Match is a 304 without a body', async (t) => {
  const first = await fetch(`${app.baseUrl}/web/api.ts`);
  const etag = first.headers.get('etag');
  t.regex(etag ?? '', /^"[\w-]{27}"$/, 'strong (no W/)');
  t.is(first.headers.get('cache-control'), 'no-cache');
  t.is((await fetch(`${app.baseUrl}/web/api.ts`)).headers.get('etag'), etag);
  // Not fetch(): it adds `Cache-Control: no-cache` to a conditional request, asking for a full answer.
  const again = await rawGet('/web/api.ts', { 'if-none-match': etag! });
  t.is(again.status, 304);
  t.is(again.body, '');
  t.is((await rawGet('/web/api.ts', { 'if-none-match': '"another"' })).status, 200);
  const css = await fetch(`${app.baseUrl}/web/style.css`);
  t.is(css.headers.get('content-type'), 'text/css; charset=utf-8');
  t.not(css.headers.get('etag'), etag);
});

test('anything else under /web/ is a 404 problem: unknown files, the tsconfig, paths out of the folder', async (t) => {
  for (const path of ['/web/nope.ts', '/web/tsconfig.json', '/web/%2e%2e/package.json', '/web/', '/web/pages']) {
    const res = await app.request('GET', path);
    t.is(res.status, 404, path);
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/, path);
  }
  t.is((await app.request('POST', '/')).status, 404, 'the page is read-only');
});

test('web/api-types.ts is what openapi-typescript makes of the served /openapi.json (run `npm run web:types` after changing the API)', async (t) => {
  const served = (await app.request('GET', '/openapi.json')).body;
  const committed = await readFile(API_TYPES_FILE, 'utf8');
  const regenerated = await renderApiTypes(served);
  // A plain equality with a short hint: a diff of a 7,000-line file helps no one.
  const firstDifference = [...regenerated].findIndex((char, i) => char !== committed[i]);
  t.true(regenerated === committed, `web/api-types.ts is stale from character ${firstDifference}: run npm run web:types`);
});
