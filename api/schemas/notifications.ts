import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../../domain/notifications/notification-kinds.ts';
import { Id, PageQuery, Timestamp, Won } from './common.ts';

export const InboxItem = z
  .object({
    id: Id,
    kind: z.enum(NOTIFICATION_KINDS),
    createdAt: Timestamp,
    readAt: Timestamp.nullable(),
    listingId: Id.nullable().meta({ description: 'The listing it is about, if any.' }),
    auctionId: Id.nullable(),
    offerId: Id.nullable(),
    listingTitle: z.string().nullable().meta({ description: "The listing's title now; null once the listing is gone." }),
    data: z
      .object({
        price: Won.optional(),
        reason: z.enum(['no-bids', 'reserve-not-met']).optional(),
        minutes: z.number().int().min(0).optional(),
        expiresAt: Timestamp.optional(),
        conversationId: Id.optional(),
        senderNickname: z.string().optional(),
        tradeId: Id.optional().meta({ description: 'The trade an accepted price offer made.' }),
        declineReason: z.enum(['seller', 'another-offer-accepted']).optional(),
      })
      .meta({ description: 'What the notice says besides its kind: a price, a reason, minutes left, an expiry.' }),
  })
  .meta({ id: 'InboxItem' });

export const InboxQuery = PageQuery.extend({
  unread: z.enum(['true', 'false']).default('false').transform((v) => v === 'true').meta({ description: 'Only items not yet read.' }),
});

export const UnreadCount = z.object({ unreadCount: z.number().int().min(0) }).meta({ id: 'UnreadCount' });

export const MarkReadBody = z
  .strictObject({
    ids: z.array(Id).min(1).max(100).optional().meta({ description: 'Up to 100 of my items.' }),
    all: z.literal(true).optional().meta({ description: 'Every item of mine.' }),
  })
  .refine((body) => (body.ids === undefined) !== (body.all === undefined), { message: 'send either `ids` or `all: true`' })
  .meta({ id: 'MarkRead', description: 'Either `{ids}` or `{all: true}`.' });
