import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, invalid } from '../errors.ts';
import { jobs, type JobRequest } from '../follow-ups/job-contract.ts';
import type { ObjectStore } from './object-store.ts';

export const MAX_PHOTOS = 10;

interface UploadRow {
  id: string;
  user_id: string;
  status: 'pending' | 'uploaded' | 'attached';
  object_key: string;
  declared_size: string;
  expired: boolean;
}

/**
 * Confirms that the bytes of the caller's pending uploads arrived (the client sent them straight
 * to storage, so only storage knows). Runs before the listing's transaction: no network call is
 * made while rows are locked.
 */
export async function confirmUploads(em: EntityManager, store: ObjectStore, userId: string, photoIds: string[]): Promise<void> {
  if (!photoIds.length) return;
  const pending = await em.execute<{ id: string; object_key: string; declared_size: string }[]>(
    `select id, object_key, declared_size from uploads where id in (select (jsonb_array_elements_text(?::jsonb))::uuid) and user_id = ? and status = 'pending'`,
    [JSON.stringify(photoIds), userId],
  );
  for (const upload of pending) {
    const size = await store.sizeOf(upload.object_key);
    // More bytes than declared means storage did not enforce the size: treat it as not received.
    if (size !== null && size > 0 && size <= Number(upload.declared_size)) {
      await em.execute(`update uploads set status = 'uploaded', received_size = ? where id = ? and status = 'pending'`, [size, upload.id]);
    }
  }
}

export interface PhotoChange {
  /** Photos newly attached: each needs processing. */
  added: string[];
  /** Objects of photos taken off the listing: to delete from storage after commit. */
  removedKeys: string[];
}

/** What must follow a change of photos: process the new ones, remove the objects of the old ones. */
export function photoJobs(change: PhotoChange): JobRequest[] {
  return [...change.added.map((photoId) => jobs.processPhoto(photoId)), ...(change.removedKeys.length ? [jobs.deleteObjects(change.removedKeys)] : [])];
}

/**
 * Makes `photoIds`, in that order, the listing's photos. Runs inside the listing's transaction,
 * so a rejected photo leaves nothing half-attached.
 */
export async function setListingPhotos(em: EntityManager, userId: string, listingId: string, photoIds: string[]): Promise<PhotoChange> {
  if (new Set(photoIds).size !== photoIds.length) throw invalid('duplicate-photo', 'A photo may appear once per listing.');
  if (photoIds.length > MAX_PHOTOS) throw invalid('too-many-photos', `A listing has at most ${MAX_PHOTOS} photos.`);

  const current = await em.execute<{ id: string; object_key: string; display_key: string | null; thumbnail_key: string | null }[]>(
    `select p.id, u.object_key, p.display_key, p.thumbnail_key
     from listing_photos p join uploads u on u.id = p.id where p.listing_id = ? for update of p`,
    [listingId],
  );
  const currentIds = new Set(current.map((p) => p.id));
  const added = photoIds.filter((id) => !currentIds.has(id));

  const uploads = added.length
    ? await em.execute<UploadRow[]>(
        `select id, user_id, status, object_key, declared_size, expires_at < now() as expired
         from uploads where id in (select (jsonb_array_elements_text(?::jsonb))::uuid) for update`,
        [JSON.stringify(added)],
      )
    : [];
  const byId = new Map(uploads.map((u) => [u.id, u]));
  for (const id of added) {
    const upload = byId.get(id);
    if (!upload) throw invalid('unknown-upload', `There is no upload ${id}.`, { photoId: id });
    if (upload.user_id !== userId) throw forbidden('upload-not-yours', `Upload ${id} belongs to someone else.`);
    if (upload.status === 'attached') throw conflict('photo-already-attached', `Photo ${id} is already attached to a listing.`, { photoId: id });
    if (upload.status === 'pending') {
      throw conflict('upload-missing', `The bytes of upload ${id} never arrived${upload.expired ? ' and the upload has expired' : ''}.`, { photoId: id });
    }
  }

  const removed = current.filter((p) => !photoIds.includes(p.id));
  if (removed.length) {
    await em.execute(`delete from uploads where id in (select (jsonb_array_elements_text(?::jsonb))::uuid)`, [JSON.stringify(removed.map((p) => p.id))]);
  }
  if (photoIds.length) {
    await em.execute(
      `insert into listing_photos (id, listing_id, position)
       select (p.value #>> '{}')::uuid, ?, p.ordinality - 1 from jsonb_array_elements(?::jsonb) with ordinality as p
       on conflict (id) do update set position = excluded.position, updated_at = now()`,
      [listingId, JSON.stringify(photoIds)],
    );
  }
  if (added.length) {
    await em.execute(`update uploads set status = 'attached' where id in (select (jsonb_array_elements_text(?::jsonb))::uuid)`, [JSON.stringify(added)]);
  }
  return {
    added,
    removedKeys: removed.flatMap((p) => [p.object_key, p.display_key, p.thumbnail_key].filter((k): k is string => k !== null)),
  };
}
