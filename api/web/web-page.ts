import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import type { AppState } from '../context.ts';

/**
 * The web page for people at `/`: plain ES modules from web/, written in TypeScript and served with
 * their types stripped (Node's own stripper), so there is no build step and no bundle. Files are
 * read and stripped once per process, on first use, and served from memory with a strong ETag.
 */
const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.ts': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

let assets: Map<string, Asset> | null = null;

/** URL path → asset, for every file of web/ with a known type; index.html is `/`. */
function loadAssets(): Map<string, Asset> {
  const found = new Map<string, Asset>();
  for (const entry of readdirSync(WEB_DIR, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const extension = /\.[a-z]+$/.exec(entry.name)?.[0] ?? '';
    const type = TYPES[extension];
    if (!type) continue;
    const source = readFileSync(file, 'utf8');
    // Type-only imports (api-types.ts) vanish here, so the browser never asks for them.
    const text = extension === '.ts' ? stripTypeScriptTypes(source, { mode: 'strip' }) : source;
    const body = Buffer.from(text);
    const name = relative(WEB_DIR, file);
    const path = name === 'index.html' ? '/' : `/web/${name}`;
    found.set(path, { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
  }
  return found;
}

export function webPage(): Middleware<AppState> {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path !== '/' && !ctx.path.startsWith('/web/')) return next();
    assets ??= loadAssets();
    const asset = assets.get(ctx.path);
    if (!asset) return next();
    ctx.type = asset.type;
    ctx.etag = asset.etag;
    // Revalidated every time (a deploy changes the files under the same names); a match is a 304.
    ctx.set('Cache-Control', 'no-cache');
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = asset.body;
  };
}
