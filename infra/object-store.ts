import type { ObjectStore } from '../domain/photos/object-store.ts';
import type { Config } from './config.ts';
import { LocalObjectStore } from './local-object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';

/** S3 when S3_BUCKET is set; otherwise local disk, so `npm start` needs no cloud at all. */
export function createObjectStore(config: Config): ObjectStore {
  const { s3, dataDir, publicUrl } = config.photos;
  if (s3) return new S3ObjectStore(s3);
  return new LocalObjectStore({ root: `${dataDir}/objects`, signingSecret: config.jwt.secret, publicBase: publicUrl });
}
