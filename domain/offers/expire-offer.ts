import type { EntityManager } from '@mikro-orm/postgresql';

export type ExpireOfferResult = { result: 'expired' } | { result: 'not-pending' } | { result: 'not-due'; waitMs: number };

/** Ends an offer nobody accepted in time; the database clock judges "in time", as for acceptance. */
export async function expireOffer(em: EntityManager, offerId: string): Promise<ExpireOfferResult> {
  const [row] = await em.execute<{ status: string; wait_ms: number; expired: boolean }[]>(
    `with target as (select id, status, expires_at from offers where id = ?),
     ended as (
       update offers o set status = 'expired', decided_at = clock_timestamp()
       from target t where o.id = t.id and o.status = 'pending' and o.expires_at <= clock_timestamp()
       returning o.id)
     select t.status, greatest(0, extract(epoch from t.expires_at - clock_timestamp()) * 1000)::int as wait_ms,
            exists (select 1 from ended) as expired
     from target t`,
    [offerId],
  );
  if (!row) return { result: 'not-pending' };
  if (row.expired) return { result: 'expired' };
  if (row.status !== 'pending') return { result: 'not-pending' };
  return { result: 'not-due', waitMs: row.wait_ms };
}
