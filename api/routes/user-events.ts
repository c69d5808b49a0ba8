import { z } from 'zod';
import { findCallerAccount } from '../../domain/accounts/find-caller.ts';
import { loginIsOpen } from '../../domain/accounts/refresh-tokens.ts';
import { unauthorized } from '../../domain/errors.ts';
import { latestUserEvent, userEventsAfter, type UserStreamControl } from '../../domain/user-stream/user-event-log.ts';
import { userTopic } from '../../infra/event-bus.ts';
import { STREAM_TICKET_TTL_S } from '../../infra/stream-tickets.ts';
import type { AppDeps } from '../context.ts';
import { defineRoute, type Route } from '../route.ts';
import { EventId } from '../schemas/common.ts';
import { UserEvent } from '../schemas/user-events.ts';
import { serveEventStream } from '../sse/serve-event-stream.ts';

const UserEventStreamDoc = z.string().meta({
  description:
    'Server-sent events of the caller: `id: <seq>` (the caller\'s own sequence), `event: <notification|message>`, ' +
    '`data:` a UserEvent as JSON (its `contentSchema`): `{userId, seq, type, notification}` with an inbox item as ' +
    '`GET /v1/me/notifications` shows it, or `{userId, seq, type, message}` with a chat message. ' +
    'A comment line at least every 15 s.',
});

const StreamTicket = z
  .object({ ticket: z.string(), expiresInS: z.number().int() })
  .meta({ id: 'StreamTicket', description: `Single use, valid ${STREAM_TICKET_TTL_S} s: \`GET /v1/me/events?ticket=...\`.` });

/** A stream ends when its account is closed, or when the login it was opened with is. */
const endsOnControl = (userId: string, sessionId: string | null) => (message: unknown) => {
  const control = message as Partial<UserStreamControl>;
  if (control.userId !== userId) return null;
  if (control.control === 'account-closed') return 'account closed';
  if (control.control === 'session-closed' && sessionId !== null && control.sessionId === sessionId) return 'session closed';
  return null;
};

export function userEventRoutes(deps: AppDeps): Route[] {
  const tags = ['Notifications'];
  return [
    defineRoute(
      {
        method: 'post', path: '/v1/me/stream-tickets', operationId: 'createStreamTicket', tags, auth: 'required',
        summary: 'A ticket to open my event stream from a browser',
        description: 'EventSource cannot send an Authorization header; pass the ticket in the query instead. A ticket works once.',
        responses: { 201: { description: 'The ticket', schema: StreamTicket } },
        problems: [401, 503],
      },
      async ({ caller }) => ({
        status: 201,
        body: { ticket: await deps.streamTickets.issue({ userId: caller.userId, sessionId: caller.sessionId ?? null }), expiresInS: STREAM_TICKET_TTL_S },
      }),
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/me/events', operationId: 'streamMyEvents', tags, auth: 'optional',
        summary: 'My live events: notifications as they happen (text/event-stream)',
        description:
          'Authenticate with `Authorization: Bearer` or with `?ticket=` from `POST /v1/me/stream-tickets`. ' +
          'Reconnect with `Last-Event-ID` (or `?lastEventId=`) to receive every missed event, in order, before live ones; ' +
          'without it the stream starts with what happens next (its first line sets the id to resume from).',
        query: z.object({ ticket: z.string().min(1).max(100).optional(), lastEventId: EventId.optional() }),
        headers: z.object({ 'last-event-id': EventId.optional() }),
        responses: { 200: { description: 'The event stream', schema: UserEventStreamDoc, contentType: 'text/event-stream', eventData: UserEvent } },
        problems: [400, 401, 429, 503],
      },
      async ({ caller, query, headers, ctx }) => {
        const holder = caller ? { userId: caller.userId, sessionId: caller.sessionId ?? null } : query.ticket ? await deps.streamTickets.redeem(query.ticket) : null;
        if (!holder) {
          throw query.ticket
            ? unauthorized('invalid-ticket', 'The stream ticket is unknown, used or expired.')
            : unauthorized('authentication-required', 'Send an access token as "Authorization: Bearer <token>", or a stream ticket.');
        }
        const { userId, sessionId } = holder;
        const em = () => deps.orm.em.fork();
        // A ticket is not checked by the authentication middleware: check the account here.
        if (!caller && (await findCallerAccount(em(), userId))?.suspended !== false) {
          throw unauthorized('account-suspended', 'This account is suspended or gone.');
        }
        // A stream outlives its token, so it is opened only for a login still open (not one logged out since).
        if (sessionId !== null && !(await loginIsOpen(em(), sessionId))) {
          throw unauthorized('session-closed', 'This login was closed; sign in again.');
        }
        const lastEventId = headers['last-event-id'] ?? query.lastEventId;
        return serveEventStream(
          deps,
          ctx,
          deps.sharedReads.source({
            hub: deps.eventHub,
            topic: userTopic(userId),
            eventsAfter: (afterSeq) => userEventsAfter(em(), userId, afterSeq),
            latestEvent: () => latestUserEvent(em(), userId),
            startWith: 'none',
            endsStream: endsOnControl(userId, sessionId),
          }),
          lastEventId === undefined ? null : Number(lastEventId),
          { presenceOf: userId },
        );
      },
    ),
  ];
}
