import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectStore } from '../domain/photos/object-store.ts';

export interface S3Settings {
  bucket: string;
  region: string;
  /** Any S3-compatible service (MinIO, R2, ...). */
  endpoint?: string | undefined;
  /** Where derived images are fetched from (a CDN in front of the bucket); defaults to the bucket URL. */
  publicUrl?: string | undefined;
}

const notFound = (error: unknown) => {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404 || (error as { name?: string }).name === 'NotFound' || (error as { name?: string }).name === 'NoSuchKey';
};

/**
 * Photos in S3. Uploads are presigned PUTs whose signature covers Content-Type and Content-Length,
 * so S3 itself refuses another type or size than the one the API agreed to.
 */
export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  private readonly settings: S3Settings;

  constructor(settings: S3Settings) {
    this.settings = settings;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: Boolean(settings.endpoint),
      // By default the SDK signs a CRC32 of the body into every PutObject, and a presigned one has no
      // body yet: the URL would carry the checksum of zero bytes, and S3 would refuse every photo.
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  }

  async presignUpload(key: string, contentType: string, size: number, expiresInS: number) {
    const command = new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, ContentType: contentType, ContentLength: size });
    const url = await getSignedUrl(this.client, command, {
      expiresIn: expiresInS,
      signableHeaders: new Set(['content-type', 'content-length']),
    });
    return {
      url,
      method: 'PUT' as const,
      headers: { 'Content-Type': contentType, 'Content-Length': String(size) },
      expiresAt: new Date(Date.now() + expiresInS * 1000),
    };
  }

  async sizeOf(key: string) {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return head.ContentLength ?? null;
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  async read(key: string) {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return object.Body ? Buffer.from(await object.Body.transformToByteArray()) : null;
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  async write(key: string, bytes: Buffer, contentType: string) {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: bytes, ContentType: contentType, CacheControl: 'public, max-age=31536000, immutable' }),
    );
  }

  async remove(keys: string[]) {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const result = await this.client.send(new DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      // A 200 can still report keys it failed to delete (access denied, throttled): retry the job.
      const failed = result.Errors ?? [];
      if (failed.length) throw new Error(`S3 did not delete ${failed.length} objects: ${failed.map((e) => `${e.Key} ${e.Code}`).slice(0, 5).join(', ')}`);
    }
  }

  publicUrl(key: string) {
    const base =
      this.settings.publicUrl ??
      (this.settings.endpoint ? `${this.settings.endpoint.replace(/\/$/, '')}/${this.settings.bucket}` : `https://${this.settings.bucket}.s3.${this.settings.region}.amazonaws.com`);
    return `${base.replace(/\/$/, '')}/${key}`;
  }
}
