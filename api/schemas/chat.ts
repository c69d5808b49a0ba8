import { z } from 'zod';
import { MESSAGE_MAX_CHARS } from '../../domain/chat/chat-rules.ts';
import { Id, Timestamp } from './common.ts';

export const Message = z
  .object({
    id: Id,
    conversationId: Id,
    senderId: Id,
    text: z.string().meta({ description: 'Plain text as sent; never to be interpreted as HTML.' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Message' });

export const Conversation = z
  .object({
    id: Id,
    listingId: Id.nullable().meta({ description: 'Null once the listing was deleted; the conversation is then read-only.' }),
    listingTitle: z.string(),
    sellerId: Id,
    buyerId: Id,
    createdAt: Timestamp,
    lastMessage: Message.nullable(),
    unreadCount: z.number().int().min(0).meta({ description: "The other party's messages I have not read." }),
    writable: z.boolean().meta({ description: 'False once the listing is deleted or either party has blocked the other.' }),
  })
  .meta({ id: 'Conversation' });

export const SendMessageBody = z
  .strictObject({ text: z.string().min(1).max(MESSAGE_MAX_CHARS * 2).meta({ description: `1 to ${MESSAGE_MAX_CHARS} characters of plain text.` }) })
  .meta({ id: 'SendMessage' });

export const UserIdParams = z.object({ userId: Id });

export const Block = z.object({ userId: Id, nickname: z.string(), blockedAt: Timestamp }).meta({ id: 'Block' });
