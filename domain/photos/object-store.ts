/** How a client sends the bytes of an upload: straight to storage, never through the API's memory. */
export interface UploadTarget {
  url: string;
  method: 'PUT' | 'POST';
  /** Headers the client must send with a raw-body upload. */
  headers?: Record<string, string>;
  /** Form fields to send first in a multipart upload. */
  fields?: Record<string, string>;
  expiresAt: Date;
}

/** A port: where photos live. Local disk by default, any S3-compatible store in production. */
export interface ObjectStore {
  readonly kind: 'local' | 's3';
  presignUpload(key: string, contentType: string, size: number, expiresInS: number): Promise<UploadTarget>;
  /** Size of a stored object, or null when there is none. */
  sizeOf(key: string): Promise<number | null>;
  read(key: string): Promise<Buffer | null>;
  write(key: string, bytes: Buffer, contentType: string): Promise<void>;
  remove(keys: string[]): Promise<void>;
  /** Where clients fetch a stored object (derived images only; originals are never served). */
  publicUrl(key: string): string;
}
