import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { jobs } from '../follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { RESENT_IF_INTERRUPTED } from './notices.ts';

/** A send claimed this long ago and never finished was cut off: SNS answers or times out within 10 s. */
export const INTERRUPTED_AFTER_S = 120;

/**
 * A notice is resent after an interruption only while it has been tried fewer times than this
 * (claims, retries after throttling included): each resend may be a duplicate, and a message that
 * kills its worker every time must not loop.
 */
export const MAX_ATTEMPTS_FOR_RESEND = 3;

export interface SettledSends {
  /** Back to pending, with a send job of their own declared. */
  resent: string[];
  /** Marked failed: their kind is sent at most once, or they were tried too often. */
  failed: string[];
}

/**
 * Settles sends cut off mid-way (their worker died after claiming the row). Nothing else ever
 * touches a row left 'sending': its job, run again, finds it claimed and skips it. By the kind's
 * policy (`DELIVERY` in notices.ts) the row goes back to pending with a new send job, declared in
 * the same transaction so the relay carries it out if this process dies too, or is marked failed.
 * SKIP LOCKED: two sweeps never settle the same row.
 */
export async function settleInterruptedSends(em: EntityManager, dispatcher: FollowUpDispatcher, limit = 1000): Promise<SettledSends> {
  return transactionWithFollowUps(em, dispatcher, async (tx) => {
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
             else 'interrupted while sending; tried too often to resend' end,
           updated_at = now()
       from cut where n.id = cut.id
       returning n.id, n.attempts, cut.resendable and cut.retriable as resend`,
      [JSON.stringify(RESENT_IF_INTERRUPTED), MAX_ATTEMPTS_FOR_RESEND, INTERRUPTED_AFTER_S, limit],
    );
    const resent = rows.filter((r) => r.resend);
    return {
      value: { resent: resent.map((r) => r.id), failed: rows.filter((r) => !r.resend).map((r) => r.id) },
      followUps: { jobs: resent.map((r) => jobs.resendSms(r.id, r.attempts)) },
    };
  });
}
