import type { EntityManager } from '@mikro-orm/postgresql';
import { UnusableImageError, type ImageProcessor } from './image-processor.ts';
import { sniffImageFormat } from './image-types.ts';
import type { ObjectStore } from './object-store.ts';

export type ProcessResult = { result: 'ready'; width: number; height: number } | { result: 'failed'; reason: string } | { result: 'skipped'; reason: string };

export const derivedKeys = (listingId: string, photoId: string) => ({
  display: `photos/${listingId}/${photoId}/display.jpg`,
  thumbnail: `photos/${listingId}/${photoId}/thumb.jpg`,
});

/**
 * Checks what the uploaded bytes really are, writes a display size and a thumbnail without any
 * metadata (so no GPS position leaves with a photo), then deletes the original, which may carry it.
 * Storage failures throw (the job retries); an unusable file is a final `failed`.
 */
export async function processPhoto(em: EntityManager, store: ObjectStore, images: ImageProcessor, photoId: string): Promise<ProcessResult> {
  const [photo] = await em.execute<{ listing_id: string; status: string; object_key: string }[]>(
    `select p.listing_id, p.status, u.object_key from listing_photos p join uploads u on u.id = p.id where p.id = ?`,
    [photoId],
  );
  if (!photo) return { result: 'skipped', reason: 'photo no longer attached' };
  if (photo.status !== 'processing') return { result: 'skipped', reason: `already ${photo.status}` };

  const fail = async (reason: string): Promise<ProcessResult> => {
    const failed = await em.execute<{ id: string }[]>(
      `update listing_photos set status = 'failed', failure = ?, updated_at = now() where id = ? and status = 'processing' returning id`,
      [reason, photoId],
    );
    await store.remove([photo.object_key]);
    // Another delivery finished first and removed the original we then missed: its result stands.
    return failed.length ? { result: 'failed', reason } : { result: 'skipped', reason: 'processed by another delivery' };
  };

  const original = await store.read(photo.object_key);
  if (!original) return fail('original-missing');
  const format = sniffImageFormat(original);
  if (!format) return fail('not-an-image');
  let derived;
  try {
    derived = await images.derive(original, format);
  } catch (error) {
    if (error instanceof UnusableImageError) return fail(error.code);
    throw error;
  }

  const keys = derivedKeys(photo.listing_id, photoId);
  await store.write(keys.display, derived.display.bytes, derived.display.contentType);
  await store.write(keys.thumbnail, derived.thumbnail.bytes, derived.thumbnail.contentType);
  const updated = await em.execute<{ id: string }[]>(
    `update listing_photos set status = 'ready', display_key = ?, thumbnail_key = ?, width = ?, height = ?, updated_at = now()
     where id = ? and status = 'processing' returning id`,
    [keys.display, keys.thumbnail, derived.display.width, derived.display.height, photoId],
  );
  if (!updated.length) {
    // Another delivery of this job got there first: the files it points to are the very keys we
    // just wrote, so removing them would leave a ready photo without files.
    const [now] = await em.execute<{ status: string }[]>(`select status from listing_photos where id = ?`, [photoId]);
    if (now?.status === 'ready') return { result: 'skipped', reason: 'processed by another delivery' };
    // Removed from its listing while we worked: leave nothing behind.
    await store.remove([keys.display, keys.thumbnail, photo.object_key]);
    return { result: 'skipped', reason: 'photo removed meanwhile' };
  }
  await store.remove([photo.object_key]);
  return { result: 'ready', width: derived.display.width, height: derived.display.height };
}
