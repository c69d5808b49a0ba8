import type { Readable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, invalid, notFound } from '../errors.ts';

/** The local store's side of an upload: checking the signed URL and writing the bytes. */
export interface UploadReceiver {
  signatureValid(key: string, contentType: string, size: number, expires: number, signature: string): boolean;
  /**
   * Reads the body and stores it only if it is exactly `size` bytes. Returns how many bytes came;
   * stops reading at the first byte past `size` (so more than `size` means "too many").
   */
  receive(key: string, body: Readable, size: number): Promise<number>;
}

/** 413, as S3 answers a body longer than the signed Content-Length; the request body is not read on. */
const tooLarge = (size: number) =>
  Object.assign(new Error(`The upload was declared as ${size} bytes; send exactly that many.`), { status: 413, expose: true });

const sizeMismatch = (size: number, received: number) =>
  invalid(received === 0 ? 'empty-upload' : 'upload-size-mismatch', `The upload was declared as ${size} bytes; ${received} arrived.`, { declaredSize: size, receivedSize: received });

export async function receiveUpload(
  em: EntityManager,
  receiver: UploadReceiver,
  input: { uploadId: string; expires: number; signature: string; contentType: string; declaredLength: number | undefined; body: Readable },
): Promise<void> {
  const [upload] = await em.execute<{ object_key: string; content_type: string; declared_size: string; status: string }[]>(
    'select object_key, content_type, declared_size, status from uploads where id = ?',
    [input.uploadId],
  );
  if (!upload) throw notFound('upload');
  const size = Number(upload.declared_size);
  if (!receiver.signatureValid(upload.object_key, upload.content_type, size, input.expires, input.signature)) {
    throw forbidden('invalid-upload-signature', 'The upload URL is invalid or has expired; ask for a new one.');
  }
  if (upload.status !== 'pending') throw conflict('upload-already-received', 'The bytes of this upload were already received.');
  if (input.contentType.split(';')[0]!.trim().toLowerCase() !== upload.content_type) {
    throw invalid('content-type-mismatch', `Send the bytes as ${upload.content_type}, as declared.`);
  }
  // The signature covers the size, as S3's covers Content-Length: exactly that many bytes, no more, no fewer.
  if (input.declaredLength !== undefined && input.declaredLength > size) throw tooLarge(size);
  if (input.declaredLength !== undefined && input.declaredLength < size) throw sizeMismatch(size, input.declaredLength);
  const received = await receiver.receive(upload.object_key, input.body, size);
  if (received > size) throw tooLarge(size);
  if (received !== size) throw sizeMismatch(size, received);
  await em.execute(`update uploads set status = 'uploaded', received_size = ? where id = ? and status = 'pending'`, [received, input.uploadId]);
}
