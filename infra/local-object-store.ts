import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '../domain/photos/object-store.ts';

const KEY = /^[a-z0-9][a-z0-9/._-]*$/i;

/**
 * Object storage on local disk, for `npm start` with no cloud at all. Uploads mimic a presigned
 * URL: the API's own `PUT /v1/uploads/:id/content` with an expiring HMAC signature, so the client
 * flow is the same as with S3. Derived images are served read-only under /media.
 */
export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  private readonly root: string;
  private readonly secret: Buffer;
  private readonly publicBase: string;

  constructor(options: { root: string; signingSecret: string; publicBase: string }) {
    this.root = resolve(options.root);
    this.secret = createHmac('sha256', options.signingSecret).update('gavel local uploads').digest();
    this.publicBase = options.publicBase.replace(/\/$/, '');
  }

  path(key: string): string {
    const full = resolve(join(this.root, key));
    if (!KEY.test(key) || key.includes('..') || !full.startsWith(this.root + sep)) throw new Error(`bad object key ${key}`);
    return full;
  }

  signature(key: string, contentType: string, size: number, expires: number): string {
    return createHmac('sha256', this.secret).update(`${key}\n${contentType}\n${size}\n${expires}`).digest('base64url');
  }

  signatureValid(key: string, contentType: string, size: number, expires: number, signature: string): boolean {
    const expected = Buffer.from(this.signature(key, contentType, size, expires));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) && expires * 1000 > Date.now();
  }

  async presignUpload(key: string, contentType: string, size: number, expiresInS: number) {
    const expires = Math.floor(Date.now() / 1000) + expiresInS;
    const uploadId = key.slice(key.lastIndexOf('/') + 1);
    const query = new URLSearchParams({ expires: String(expires), signature: this.signature(key, contentType, size, expires) });
    return {
      url: `${this.publicBase}/v1/uploads/${uploadId}/content?${query}`,
      method: 'PUT' as const,
      headers: { 'Content-Type': contentType },
      expiresAt: new Date(expires * 1000),
    };
  }

  /**
   * Streams a request body to disk and keeps it only if exactly `size` bytes came. Past `size` it
   * stops reading without destroying the request, so the API can still answer 413.
   */
  async receive(key: string, body: Readable, size: number): Promise<number> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.${randomBytes(4).toString('hex')}.part`;
    let received = 0;
    const chunks = body.iterator({ destroyOnReturn: false });
    try {
      await pipeline(async function* () {
        for await (const chunk of chunks as AsyncIterable<Buffer>) {
          received += chunk.length;
          if (received > size) return;
          yield chunk;
        }
      }, createWriteStream(partial));
      if (received === size) await rename(partial, target);
      return received;
    } finally {
      await rm(partial, { force: true });
    }
  }

  async sizeOf(key: string) {
    return stat(this.path(key)).then((s) => s.size, () => null);
  }

  async read(key: string) {
    return readFile(this.path(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
  }

  async write(key: string, bytes: Buffer) {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }

  async remove(keys: string[]) {
    await Promise.all(keys.map((key) => rm(this.path(key), { force: true })));
  }

  publicUrl(key: string) {
    return `${this.publicBase}/media/${key}`;
  }
}
