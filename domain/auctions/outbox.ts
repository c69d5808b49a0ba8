import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuctionEventData } from './auction-events.ts';

/** Marks events published once the live channel has them, so the relay leaves them alone. */
export async function markEventsPublished(em: EntityManager, events: AuctionEventData[]): Promise<void> {
  if (!events.length) return;
  if (events.length === 1) {
    await em.execute('update auction_events set published_at = now() where auction_id = ? and seq = ? and published_at is null', [events[0]!.auctionId, events[0]!.seq]);
    return;
  }
  await em.execute(
    `update auction_events e set published_at = now()
     from jsonb_to_recordset(?::jsonb) as r(auction_id uuid, seq bigint)
     where e.auction_id = r.auction_id and e.seq = r.seq and e.published_at is null`,
    [JSON.stringify(events.map((e) => ({ auction_id: e.auctionId, seq: e.seq })))],
  );
}

/**
 * Publishes outbox events that were committed but never published (their process died between
 * commit and publish, or Redis was down). Rows are claimed with SKIP LOCKED so several relays
 * never publish the same event at once, and marked only after `publish` succeeded. Events younger
 * than `graceMs` are left to the process that wrote them, which publishes them itself.
 */
export async function relayUnpublishedEvents(
  em: EntityManager,
  publish: (event: AuctionEventData) => Promise<void>,
  options: { graceMs: number; limit: number },
): Promise<number> {
  return em.transactional(async (tx) => {
    const rows = await tx.execute<{ payload: AuctionEventData }[]>(
      `select payload from auction_events
       where published_at is null and created_at < now() - make_interval(secs => ?)
       order by created_at, auction_id, seq
       limit ? for update skip locked`,
      [options.graceMs / 1000, options.limit],
    );
    // In each auction's own order, whatever order their transactions started in.
    const ordered = rows.map((r) => r.payload).sort((a, b) => a.auctionId.localeCompare(b.auctionId) || a.seq - b.seq);
    for (const payload of ordered) await publish(payload);
    if (rows.length) {
      await tx.execute(
        `update auction_events e set published_at = now()
         from jsonb_to_recordset(?::jsonb) as r(auction_id uuid, seq bigint)
         where e.auction_id = r.auction_id and e.seq = r.seq`,
        [JSON.stringify(rows.map((r) => ({ auction_id: r.payload.auctionId, seq: r.payload.seq })))],
      );
    }
    return rows.length;
  });
}
