import test from 'ava';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { MAX_ATTEMPTS_FOR_RESEND, settleInterruptedSends } from '../../domain/notifications/interrupted-sends.ts';
import { NOTIFICATION_KINDS } from '../../domain/notifications/notification-kinds.ts';
import { DELIVERY } from '../../domain/notifications/notices.ts';
import { diedAfterCommit, outboxJobs } from '../support/follow-ups.ts';
import { startUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';

/**
 * Sends cut off mid-way (rows left 'sending' past 2 minutes by a dead worker), settled by kind:
 * the winner's and the seller's notices are resent, with a send job of their own declared in the
 * same transaction; every other kind stays at most once. The dispatcher never runs here, so the
 * declared jobs are read from the outbox.
 */
let h: UseCaseHarness;
test.before(async () => {
  h = await startUseCaseHarness('interrupted_sends');
});
test.after.always(async () => {
  await h?.close();
});

async function sending(userId: string, kind: string, attempts: number, claimedAgo: string) {
  const [row] = await h
    .em()
    .execute<{ id: string }[]>(
      `insert into notifications (id, user_id, kind, dedupe_key, data, status, attempts, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, ?, '{"price": 12000}', 'sending', ?, now() - interval '10 minutes', now() - ?::interval) returning id`,
      [userId, kind, `${kind}:test:${userId}:${attempts}:${claimedAgo}`, attempts, claimedAgo],
    );
  return row!.id;
}

const statusOf = async (id: string) => (await h.em().execute<{ status: string; last_error: string | null }[]>('select status, last_error from notifications where id = ?', [id]))[0]!;

test('an interrupted send is resent for the winner and the seller only, while tried fewer than 3 times; a send still in progress is left alone', async (t) => {
  const user = await h.user();
  const smsKinds = NOTIFICATION_KINDS.filter((kind) => DELIVERY[kind].sms);
  const cutOnce = Object.fromEntries(await Promise.all(smsKinds.map(async (kind) => [kind, await sending(user.id, kind, 1, '3 minutes')] as const)));
  const wonTwice = await sending(user.id, 'auction_won', 2, '3 minutes');
  const wonTooOften = await sending(user.id, 'auction_won', MAX_ATTEMPTS_FOR_RESEND, '3 minutes');
  const inProgress = await sending(user.id, 'auction_won', 1, '10 seconds');

  const settled = await settleInterruptedSends(h.em(), diedAfterCommit);
  t.deepEqual(settled.resent.sort(), [cutOnce.auction_won, cutOnce.auction_sold, wonTwice].sort());
  t.deepEqual(settled.failed.sort(), [...smsKinds.filter((k) => k !== 'auction_won' && k !== 'auction_sold').map((k) => cutOnce[k]), wonTooOften].sort());

  for (const kind of ['auction_won', 'auction_sold'] as const) t.like(await statusOf(cutOnce[kind]!), { status: 'pending', last_error: 'interrupted while sending; resent (it may arrive twice)' }, kind);
  for (const kind of ['outbid', 'ending_soon', 'auction_unsold', 'auction_cancelled', 'trade_cancelled', 'second_chance_offer'] as const) {
    t.like(await statusOf(cutOnce[kind]!), { status: 'failed', last_error: 'interrupted while sending; not resent to avoid a duplicate' }, kind);
  }
  t.like(await statusOf(wonTooOften), { status: 'failed', last_error: 'interrupted while sending; tried too often to resend' });
  t.like(await statusOf(inProgress), { status: 'sending' }, 'a send claimed 10 s ago may still be under way');

  // Each resend has a job id of its own (the first send's finished job keeps the plain one), in the outbox with the change.
  const declared = (await outboxJobs(h.em())).map((job) => [job.name, job.job_id, job.payload.notificationId]).sort();
  t.deepEqual(
    declared,
    [
      ['send-sms', jobIds.resendSms(cutOnce.auction_won!, 1), cutOnce.auction_won],
      ['send-sms', jobIds.resendSms(cutOnce.auction_sold!, 1), cutOnce.auction_sold],
      ['send-sms', jobIds.resendSms(wonTwice, 2), wonTwice],
    ].sort(),
  );
  t.deepEqual(await settleInterruptedSends(h.em(), diedAfterCommit), { resent: [], failed: [] }, 'settled once');
});
