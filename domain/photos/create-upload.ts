import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, invalid } from '../errors.ts';
import { newId } from '../shared/ids.ts';
import { UPLOAD_CONTENT_TYPES } from './image-types.ts';
import type { ObjectStore, UploadTarget } from './object-store.ts';

export interface UploadSettings {
  maxBytes: number;
  expiresInS: number;
}

/** Where an upload's original bytes go; never served to anyone. */
export const originalKey = (userId: string, uploadId: string) => `uploads/${userId}/${uploadId}`;

/** Reserves an upload and says where to send its bytes. */
export async function createUpload(
  em: EntityManager,
  store: ObjectStore,
  settings: UploadSettings,
  userId: string,
  input: { contentType: string; size: number },
): Promise<{ id: string } & UploadTarget> {
  if (!(UPLOAD_CONTENT_TYPES as readonly string[]).includes(input.contentType)) {
    throw new DomainError('invalid', 'unsupported-image-type', `Photos must be one of ${UPLOAD_CONTENT_TYPES.join(', ')}.`);
  }
  if (input.size > settings.maxBytes) {
    throw invalid('upload-too-large', `A photo may be at most ${settings.maxBytes} bytes.`, { maxBytes: settings.maxBytes });
  }
  const id = newId();
  const key = originalKey(userId, id);
  const target = await store.presignUpload(key, input.contentType, input.size, settings.expiresInS);
  await em.execute(
    `insert into uploads (id, user_id, content_type, declared_size, object_key, expires_at) values (?, ?, ?, ?, ?, ?)`,
    [id, userId, input.contentType, input.size, key, target.expiresAt.toISOString()],
  );
  return { id, ...target };
}
