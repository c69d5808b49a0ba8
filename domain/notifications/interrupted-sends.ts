import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { RESENT_AFTER_INTERRUPTION } from './notices.ts';

/**
 * A send claimed this long ago and never finished was cut off by a dead worker: SNS answers or
 * times out well within it (3 s to connect, 10 s per request).
 */
export const INTERRUPTED_AFTER_S = 120;

/**
 * Sends of a resent kind are claimed at most this many times in all: a message that kills its
 * worker every time must not loop, and every resend may be a duplicate.
 */
export const MAX_CLAIMS_WITH_RESENDS = 3;

export interface SettledSends {
  /** Back to pending with a send job of their own. */
  resent: string[];
  /** Marked failed: their kind is sent at most once, or they were claimed too often. */
  failed: string[];
}

/**
 * Settles sends cut off mid-way (the worker died after claiming the row). Nothing else touches a
 * row left 'sending': its job, run again, finds it claimed and skips it. By its kind's policy
 * (`DELIVERY` in notices.ts) the row goes back to pending with a new send job, declared in the same
 * transaction, or is marked failed. SKIP LOCKED: two sweeps never settle the same row.
 */
export async function settleInterruptedSends(
  em: EntityManager,
  followUps: FollowUpDispatcher,
  options: { olderThanS?: number; limit?: number } = {},
): Promise<SettledSends> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const rows = await tx.execute<{ id: string; attempts: number; resend: boolean }[]>(
      `with cut as (
         select id, kind in (select jsonb_array_elements_text(?::jsonb)) as resendable, attempts < ? as retriable
         from notifications
         where status = 'sending' and updated_at < now() - make_interval(secs => ?)
         order by updated_at limit ? for update skip locked)
       update notifications n
       set status = case when cut.resendable and cut.retriable then 'pending' else 'failed' end,
           last_error = case
             when not cut.resendable then 'interrupted while sending; not resent to avoid a duplicate'
             when cut.retriable then 'interrupted while sending; resent (it may arrive twice)'
             else 'interrupted while sending; claimed too often to resend' end,
           updated_at = now()
       from cut where n.id = cut.id
       returning n.id, n.attempts, cut.resendable and cut.retriable as resend`,
      [JSON.stringify(RESENT_AFTER_INTERRUPTION), MAX_CLAIMS_WITH_RESENDS, options.olderThanS ?? INTERRUPTED_AFTER_S, options.limit ?? 1000],
    );
    const resent = rows.filter((r) => r.resend);
    return {
      value: { resent: resent.map((r) => r.id), failed: rows.filter((r) => !r.resend).map((r) => r.id) },
      followUps: { jobs: resent.map((r) => jobs.resendSms(r.id, r.attempts)) },
    };
  });
}
