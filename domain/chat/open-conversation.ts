import type { EntityManager } from '@mikro-orm/postgresql';
import { isBlockedEitherWay } from '../blocks/blocks.ts';
import { forbidden, notFound } from '../errors.ts';
import { newId } from '../shared/ids.ts';

/**
 * A buyer's conversation with a listing's seller: the existing one if there is one (`created`
 * false), else a new one. A seller cannot open one on their own listing, nor can two users of
 * whom one has blocked the other.
 */
export async function openConversation(em: EntityManager, buyerId: string, listingId: string): Promise<{ id: string; created: boolean }> {
  const [listing] = await em.execute<{ seller_id: string; title: string }[]>('select seller_id, title from listings where id = ?', [listingId]);
  if (!listing) throw notFound('listing');
  if (listing.seller_id === buyerId) throw forbidden('own-listing', 'You cannot start a conversation about your own listing.');
  if (await isBlockedEitherWay(em, buyerId, listing.seller_id)) throw forbidden('blocked', 'You cannot talk with this user.');
  const [created] = await em.execute<{ id: string }[]>(
    `insert into conversations (id, listing_id, listing_title, seller_id, buyer_id)
     values (?, ?, ?, ?, ?)
     on conflict (listing_id, buyer_id) where listing_id is not null do nothing
     returning id`,
    [newId(), listingId, listing.title, listing.seller_id, buyerId],
  );
  if (created) return { id: created.id, created: true };
  const [existing] = await em.execute<{ id: string }[]>('select id from conversations where listing_id = ? and buyer_id = ?', [listingId, buyerId]);
  // The listing was deleted between the insert and this read: there is nothing to talk about.
  if (!existing) throw notFound('listing');
  return { id: existing.id, created: false };
}
