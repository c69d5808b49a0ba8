import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuctionEventData } from './auction-events.ts';

/** Reads the outbox as the auction's event log: what a reconnecting client missed. */
export async function auctionEventsAfter(em: EntityManager, auctionId: string, afterSeq: number, limit = 1000): Promise<AuctionEventData[]> {
  const rows = await em.execute<{ payload: AuctionEventData }[]>(
    'select payload from auction_events where auction_id = ? and seq > ? order by seq limit ?',
    [auctionId, afterSeq, limit],
  );
  return rows.map((r) => r.payload);
}

export async function latestAuctionEvent(em: EntityManager, auctionId: string): Promise<AuctionEventData | null> {
  const [row] = await em.execute<{ payload: AuctionEventData }[]>(
    'select payload from auction_events where auction_id = ? order by seq desc limit 1',
    [auctionId],
  );
  return row?.payload ?? null;
}

/** The seq of the auction's `closed` event, its last, or null while it is not closed. */
export async function closedEventSeq(em: EntityManager, auctionId: string): Promise<number | null> {
  const [row] = await em.execute<{ seq: string }[]>(
    "select seq from auction_events where auction_id = ? and type = 'closed' order by seq limit 1",
    [auctionId],
  );
  return row ? Number(row.seq) : null;
}

export async function auctionExists(em: EntityManager, auctionId: string): Promise<boolean> {
  const rows = await em.execute<{ id: string }[]>('select id from auctions where id = ?', [auctionId]);
  return rows.length > 0;
}
