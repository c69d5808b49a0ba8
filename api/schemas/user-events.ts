import { z } from 'zod';
import type { UserEventData } from '../../domain/user-stream/user-event-log.ts';
import type { AuctionEventData } from '../../domain/auctions/auction-events.ts';
import type { AuctionEvent } from './auctions.ts';
import { Message } from './chat.ts';
import { Id } from './common.ts';
import { InboxItem } from './notifications.ts';

const Seq = z.number().int().min(1).meta({ description: "Gapless per user (the caller's own sequence); also the SSE `id:`." });

/** What the `data:` line of each event of `GET /v1/me/events` carries (domain: UserEventData). */
export const UserEvent = z
  .discriminatedUnion('type', [
    z.object({ userId: Id, seq: Seq, type: z.literal('notification'), notification: InboxItem }),
    z.object({ userId: Id, seq: Seq, type: z.literal('message'), message: Message }),
  ])
  .meta({ id: 'UserEvent', description: 'One event of a user stream: `event:` names its `type`.' });

// The published event schemas and the domain types the streams serialise must not drift apart
// (for user events, their kinds: the payloads are InboxItem and Message, checked by their own routes).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const userEventMatchesDomain: Same<z.output<typeof UserEvent>['type'], UserEventData['type']> = true;
export const auctionEventMatchesDomain: Same<z.output<typeof AuctionEvent>, AuctionEventData> = true;
