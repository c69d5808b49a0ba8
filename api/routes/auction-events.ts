import { z } from 'zod';
import { auctionEventsAfter, auctionExists, closedEventSeq, latestAuctionEvent } from '../../domain/auctions/auction-event-log.ts';
import { AUCTION_EVENT_TYPES } from '../../domain/auctions/auction-events.ts';
import { notFound } from '../../domain/errors.ts';
import type { AppDeps } from '../context.ts';
import { defineRoute, type Route } from '../route.ts';
import { EventId, IdParams } from '../schemas/common.ts';
import { auctionTopic } from '../../infra/event-bus.ts';
import { AuctionEvent } from '../schemas/auctions.ts';
import { serveEventStream } from '../sse/serve-event-stream.ts';

const EventStreamDoc = z
  .string()
  .meta({
    description:
      `Server-sent events. Each event: \`id: <seq>\`, \`event: <${AUCTION_EVENT_TYPES.join('|')}>\`, ` +
      '`data:` an AuctionEvent as JSON (its `contentSchema`): `{auctionId, seq, type, status, outcome, currentPrice, minimumBid, leaderId, bidCount, endsAt, extended, at}`. ' +
      'A comment line at least every 15 s. The stream ends right after the `closed` event, the last there is.',
  });

export function auctionEventRoutes(deps: AppDeps): Route[] {
  return [
    defineRoute(
      {
        method: 'get', path: '/v1/auctions/:id/events', operationId: 'streamAuctionEvents', tags: ['Auctions'], auth: 'none',
        summary: 'Live price changes (text/event-stream)',
        description:
          'Reconnect with `Last-Event-ID` (or `?lastEventId=` where headers cannot be set) to receive every missed event, ' +
          'in order, before live ones. Without it the stream starts with the latest event.\n\n' +
          'The stream ends after the `closed` event. A reconnect to a closed auction from before that event replays ' +
          'what it missed, `closed` last, then ends (200); a fresh connection without `Last-Event-ID` gets the `closed` ' +
          'event, the final state, then the end (200). A reconnect whose `Last-Event-ID` is at or past the `closed` event ' +
          'is answered 204 No Content at once: per the HTML standard, that stops EventSource from reconnecting.',
        params: IdParams,
        query: z.object({ lastEventId: EventId.optional() }),
        headers: z.object({ 'last-event-id': EventId.optional() }),
        responses: {
          200: { description: 'The event stream', schema: EventStreamDoc, contentType: 'text/event-stream', eventData: AuctionEvent },
          204: { description: 'The auction has closed and the client already has its `closed` event: nothing more will come.' },
        },
        problems: [400, 404, 429, 503],
      },
      async ({ params, query, headers, ctx }) => {
        const auctionId = params.id;
        const em = () => deps.orm.em.fork();
        const topic = auctionTopic(auctionId);
        const shared = deps.sharedReads;
        if (!(await shared.read(topic, `${topic}:exists`, () => auctionExists(em(), auctionId)))) throw notFound('auction');
        const lastEventId = headers['last-event-id'] ?? query.lastEventId;
        // The one answer that stops EventSource; final on every instance, so given even while this one
        // shuts down, and without a stream slot. Shared for a second: a client that just got the
        // `closed` event comes back only after the retry hint (2 s), by when it is read afresh.
        const closedSeq = lastEventId === undefined ? null : await shared.read(topic, `${topic}:closed-seq`, () => closedEventSeq(em(), auctionId));
        if (closedSeq !== null && Number(lastEventId) >= closedSeq) return { status: 204 };
        return serveEventStream(
          deps,
          ctx,
          shared.source({
            hub: deps.eventHub,
            topic,
            eventsAfter: (afterSeq) => auctionEventsAfter(em(), auctionId, afterSeq),
            latestEvent: () => latestAuctionEvent(em(), auctionId),
            startWith: 'latest',
            lastWords: (event) => (event.type === 'closed' ? 'auction closed' : null),
          }),
          lastEventId === undefined ? null : Number(lastEventId),
        );
      },
    ),
  ];
}
