import type { EntityManager } from '@mikro-orm/postgresql';
import { IDEMPOTENCY_TTL_SQL } from '../auctions/idempotency.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';

/**
 * What the periodic sweep repairs: work whose job was lost (Redis lost its data, a process died
 * between commit and enqueue). Each query is cheap and bounded, and re-doing work is harmless.
 */

export async function findOverdueAuctionIds(em: EntityManager, limit = 500): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `select id from auctions where status <> 'closed' and ends_at <= clock_timestamp() order by ends_at limit ?`,
    [limit],
  );
  return rows.map((r) => r.id);
}

export async function purgeExpiredIdempotencyKeys(em: EntityManager): Promise<number> {
  const rows = await em.execute<{ n: number }[]>(
    `with gone as (delete from idempotency_keys where ctid in (
       select ctid from idempotency_keys where created_at < now() - ${IDEMPOTENCY_TTL_SQL} limit 5000) returning 1)
     select count(*)::int as n from gone`,
  );
  return rows[0]?.n ?? 0;
}

/** Photos still waiting to be processed long after they were attached: their job was lost; queue it again. */
export async function requeueStalledPhotos(em: EntityManager, followUps: FollowUpDispatcher, olderThanS: number, limit = 500): Promise<number> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const rows = await tx.execute<{ id: string }[]>(
      `select id from listing_photos where status = 'processing' and updated_at < now() - make_interval(secs => ?) order by updated_at limit ?`,
      [olderThanS, limit],
    );
    return { value: rows.length, followUps: { jobs: rows.map((r) => jobs.processPhoto(r.id)) } };
  });
}

/**
 * Uploads nobody attached: pending ones past their URL's expiry, and received ones left unattached
 * for a day. Their rows go, and removing their objects (originals that may carry GPS) is declared
 * in the same transaction, so no object outlives its row unnoticed.
 */
export async function purgeAbandonedUploads(em: EntityManager, followUps: FollowUpDispatcher, limit = 1000): Promise<number> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const rows = await tx.execute<{ object_key: string }[]>(
      `delete from uploads where id in (
         select id from uploads
         where (status = 'pending' and expires_at < now() - interval '1 hour')
            or (status = 'uploaded' and created_at < now() - interval '24 hours')
         limit ?)
       returning object_key`,
      [limit],
    );
    const keys = rows.map((r) => r.object_key);
    return { value: keys.length, followUps: { jobs: keys.length ? [jobs.deleteObjects(keys)] : [] } };
  });
}
