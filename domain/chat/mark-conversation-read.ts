import type { EntityManager } from '@mikro-orm/postgresql';
import { findConversationFor } from './chat-views.ts';

/**
 * Moves the caller's read mark to the newest message there is (not to "now": a message still
 * being committed must not count as read unseen), under the conversation's lock that sending
 * takes too. The inbox items about this conversation are read with it.
 */
export async function markConversationRead(em: EntityManager, userId: string, conversationId: string): Promise<void> {
  await em.transactional(async (tx) => {
    const conversation = await findConversationFor(tx, userId, conversationId, { lock: true });
    const column = conversation.seller_id === userId ? 'seller_read_at' : 'buyer_read_at';
    await tx.execute(
      `update conversations set ${column} = greatest(${column}, (select max(created_at) from messages where conversation_id = ?)) where id = ?`,
      [conversationId, conversationId],
    );
    await tx.execute(
      `update notifications set read_at = now()
       where user_id = ? and kind = 'new_message' and read_at is null and data->>'conversationId' = ?`,
      [userId, conversationId],
    );
  });
}
