import { z } from 'zod';
import { UPLOAD_CONTENT_TYPES } from '../../domain/photos/image-types.ts';
import { Id, Timestamp } from './common.ts';

export const NewUploadBody = z
  .strictObject({
    contentType: z.enum(UPLOAD_CONTENT_TYPES),
    size: z.number().int().min(1).meta({ description: 'Exact size in bytes of the file to send.' }),
  })
  .meta({ id: 'NewUpload' });

export const UploadTarget = z
  .object({
    id: Id.meta({ description: 'Pass it in `photoIds` when creating or changing a listing.' }),
    url: z.string(),
    method: z.enum(['PUT', 'POST']),
    headers: z.record(z.string(), z.string()).optional().meta({ description: 'Send these with the raw body.' }),
    fields: z.record(z.string(), z.string()).optional().meta({ description: 'Send these first in a multipart form.' }),
    expiresAt: Timestamp,
  })
  .meta({ id: 'UploadTarget' });
