import type { EntityManager } from '@mikro-orm/postgresql';
import type { RateLimiter } from '../auctions/rate-limiter.ts';
import { isBlockedEitherWay } from '../blocks/blocks.ts';
import { conflict, forbidden } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { newMessageNotice } from '../notifications/notices.ts';
import { writeNotifications } from '../notifications/notification-writer.ts';
import { newId } from '../shared/ids.ts';
import type { Presence } from '../user-stream/presence.ts';
import { normaliseMessageText, otherParty } from './chat-rules.ts';
import { findConversationFor, MESSAGE_COLUMNS, toMessageView, type MessageRow, type MessageView } from './chat-views.ts';

export interface SendMessageDeps {
  followUps: FollowUpDispatcher;
  rateLimiter: RateLimiter;
  presence: Presence;
}

/**
 * Sends a message in a conversation the sender is a party of. Under the conversation's row lock,
 * so the messages of one conversation are timed in the order they commit; the message becomes an
 * event on both parties' streams in the same transaction, and, when the recipient has no stream
 * open, one inbox item per unread streak.
 */
export async function sendMessage(em: EntityManager, deps: SendMessageDeps, senderId: string, conversationId: string, rawText: string): Promise<MessageView> {
  const text = normaliseMessageText(rawText);
  await deps.rateLimiter.consume(senderId);
  return transactionWithFollowUps(em, deps.followUps, async (tx) => {
    const conversation = await findConversationFor(tx, senderId, conversationId, { lock: true });
    const parties = { sellerId: conversation.seller_id, buyerId: conversation.buyer_id };
    const recipientId = otherParty(parties, senderId);
    if (conversation.listing_id === null) throw conflict('conversation-read-only', 'The listing was deleted; this conversation is read-only.');
    const [suspended] = await tx.execute('select 1 from users where id in (?, ?) and suspended_at is not null', [senderId, recipientId]);
    if (suspended) throw conflict('conversation-read-only', 'An account in this conversation is suspended; it is read-only.');
    if (await isBlockedEitherWay(tx, senderId, recipientId)) throw forbidden('blocked', 'You cannot talk with this user.');
    const [row] = await tx.execute<MessageRow[]>(
      `with m as (
         insert into messages (id, conversation_id, sender_id, text, created_at) values (?, ?, ?, ?, clock_timestamp())
         returning ${MESSAGE_COLUMNS.replace(/m\./g, '')}
       ),
       touched as (
         update conversations c set last_message_at = m.created_at,
           seller_read_at = case when c.seller_id = m.sender_id then m.created_at else c.seller_read_at end,
           buyer_read_at = case when c.buyer_id = m.sender_id then m.created_at else c.buyer_read_at end
         from m where c.id = m.conversation_id
       )
       select * from m`,
      [newId(), conversationId, senderId, text],
    );
    // Both parties' streams, their counters taken in id order as every writer of user events does.
    for (const userId of [senderId, recipientId].sort()) {
      await tx.execute(`select append_user_event(?, 'message', null, ?)`, [userId, row!.id]);
    }
    const message = toMessageView(row!);
    const readMark = senderId === conversation.seller_id ? conversation.buyer_read_at : conversation.seller_read_at;
    const notifications = (await deps.presence.isOnline(recipientId))
      ? []
      : await writeNotifications(tx, [
          newMessageNotice({
            conversationId,
            listingId: conversation.listing_id,
            recipientId,
            readMark: readMark === null ? null : new Date(readMark),
            senderNickname: await nicknameOf(tx, senderId),
          }),
        ]);
    return { value: message, followUps: { notifications, messageIds: [message.id] } };
  });
}

async function nicknameOf(em: EntityManager, userId: string): Promise<string> {
  const [row] = await em.execute<{ nickname: string }[]>('select nickname from users where id = ?', [userId]);
  return row?.nickname ?? '';
}
