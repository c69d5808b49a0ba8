import type { Readable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, DomainError, forbidden, invalid, notFound } from '../errors.ts';
import { longestPacedBodyS, pacedBody, type UploadPace } from './upload-pace.ts';

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

export interface ReceiveSettings {
  pace: UploadPace;
  /** Bodies one user may be sending at once, across all API instances. */
  maxConcurrentPerUser: number;
}

/**
 * Takes the upload for one PUT: no other PUT may send its bytes meanwhile (409), and its owner may
 * have at most `maxConcurrentPerUser` bodies arriving at once (429). The hold is a time in the row,
 * as long as a body keeping the pace could take, so a process that dies mid-upload frees it by then.
 * The owner's advisory lock makes count-then-take one step for that user.
 */
async function holdForReceiving(em: EntityManager, uploadId: string, userId: string, size: number, settings: ReceiveSettings): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`gavel:upload-receiving:${userId}`]);
    const [held] = await tx.execute<{ id: string }[]>(
      `update uploads set receiving_until = now() + make_interval(secs => ?)
       where id = ? and status = 'pending' and (receiving_until is null or receiving_until <= now())
         and (select count(*) from uploads where user_id = ? and receiving_until > now()) < ?
       returning id`,
      [longestPacedBodyS(size, settings.pace) + 60, uploadId, userId, settings.maxConcurrentPerUser],
    );
    if (held) return;
    const [mine] = await tx.execute<{ busy: boolean }[]>(`select receiving_until > now() as busy from uploads where id = ?`, [uploadId]);
    if (mine?.busy) throw conflict('upload-in-progress', 'The bytes of this upload are being sent by another request; wait for it to end.');
    throw new DomainError('rate_limited', 'upload-concurrency-limited', `At most ${settings.maxConcurrentPerUser} uploads may be sent at once.`, { retryAfterS: 5 });
  });
}

export async function receiveUpload(
  em: EntityManager,
  receiver: UploadReceiver,
  settings: ReceiveSettings,
  input: { uploadId: string; expires: number; signature: string; contentType: string; declaredLength: number | undefined; body: Readable },
): Promise<void> {
  const [upload] = await em.execute<{ user_id: string; object_key: string; content_type: string; declared_size: string; status: string }[]>(
    'select user_id, object_key, content_type, declared_size, status from uploads where id = ?',
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
  await holdForReceiving(em, input.uploadId, upload.user_id, size, settings);
  const paced = pacedBody(input.body, settings.pace);
  try {
    const received = await receiver.receive(upload.object_key, paced.stream, size);
    if (received > size) throw tooLarge(size);
    if (received !== size) throw sizeMismatch(size, received);
    await em.execute(`update uploads set status = 'uploaded', received_size = ?, receiving_until = null where id = ? and status = 'pending'`, [received, input.uploadId]);
  } finally {
    paced.stop();
    await em.execute(`update uploads set receiving_until = null where id = ? and receiving_until is not null`, [input.uploadId]);
  }
}
