import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { createUpload } from '../../domain/photos/create-upload.ts';
import { receiveUpload } from '../../domain/photos/receive-upload.ts';
import { notFound } from '../../domain/errors.ts';
import { LocalObjectStore } from '../../infra/local-object-store.ts';
import type { AppDeps } from '../context.ts';
import { defineRoute, type Route } from '../route.ts';
import { Id } from '../schemas/common.ts';
import { NewUploadBody, UploadTarget } from '../schemas/uploads.ts';

export function uploadRoutes(deps: AppDeps): Route[] {
  const tags = ['Photos'];
  const { upload: settings } = deps.config.photos;
  const local = deps.objects instanceof LocalObjectStore ? deps.objects : null;
  return [
    defineRoute(
      {
        method: 'post', path: '/v1/uploads', operationId: 'createUpload', tags, auth: 'required',
        summary: 'Get a place to send a photo',
        description:
          'Answers where to send the bytes: `url` with `method` (a raw body with `headers`, or a multipart form with `fields` ' +
          'first). Then attach the upload to a listing with `photoIds`; a worker checks the file and makes a display size ' +
          `and a thumbnail. JPEG, PNG, WebP or HEIC, at most ${settings.maxBytes} bytes.`,
        body: NewUploadBody,
        responses: { 201: { description: 'Where and how to send the bytes', schema: UploadTarget } },
        problems: [400, 401, 429],
      },
      async ({ em, body, caller }) => {
        // Each upload may become stored bytes: a per-user limit keeps one account from filling storage.
        await deps.uploadRateLimiter.consume(caller.userId);
        const target = await createUpload(em, deps.objects, settings, caller.userId, body);
        return { status: 201, body: { ...target, expiresAt: target.expiresAt.toISOString() } };
      },
    ),
    ...(local
      ? [
          defineRoute(
            {
              method: 'put', path: '/v1/uploads/:id/content', operationId: 'sendUploadContent', tags, auth: 'none',
              summary: 'Receive the bytes of an upload (local storage only)',
              params: z.object({ id: Id }),
              query: z.object({ expires: z.string().regex(/^\d{1,12}$/), signature: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) }),
              responses: { 204: { description: 'Received' } },
              description:
                'The URL handed out by POST /v1/uploads when no S3 bucket is configured; its signature is the credential. ' +
                `One request at a time per upload (409), at most ${settings.maxConcurrentPerUser} per user at once (429); a body that stalls ` +
                `for ${settings.pace.idleTimeoutS} s or then falls below ${settings.pace.minBytesPerS} bytes/s is cut off (408).`,
              problems: [400, 403, 404, 408, 409, 413, 429],
            },
            async ({ em, params, query, ctx }) => {
              try {
                await receiveUpload(em, local, { pace: settings.pace, maxConcurrentPerUser: settings.maxConcurrentPerUser }, {
                  uploadId: params.id,
                  expires: Number(query.expires),
                  signature: query.signature,
                  contentType: ctx.get('Content-Type'),
                  declaredLength: ctx.request.length,
                  body: ctx.req,
                });
              } catch (error) {
                // Refused before the body was read to its end: close the connection after the answer
                // rather than read (maybe endless) bytes nobody wants.
                if (!ctx.req.readableEnded) ctx.set('Connection', 'close');
                throw error;
              }
              return { status: 204 };
            },
          ),
          defineRoute(
            {
              method: 'get', path: '/media/photos/:listingId/:photoId/:file', operationId: 'getPhoto', tags, auth: 'none',
              description: 'Served by the API only when photos are stored on local disk; with S3 the listing’s photo URLs point at the bucket and this route is not used.',
              summary: 'A processed photo (local storage only; with S3 the URLs point at the bucket)',
              params: z.object({ listingId: Id, photoId: Id, file: z.enum(['display.jpg', 'thumb.jpg']) }),
              responses: { 200: { description: 'JPEG', schema: z.string(), contentType: 'image/jpeg' } },
              problems: [400, 404],
            },
            async ({ params }) => {
              const key = `photos/${params.listingId}/${params.photoId}/${params.file}`;
              if ((await local.sizeOf(key)) === null) throw notFound('photo');
              const path = local.path(key);
              return {
                status: 200,
                headers: { 'Content-Type': 'image/jpeg', 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' },
                body: createReadStream(path),
              };
            },
          ),
        ]
      : []),
  ];
}
