import type { EntityManager } from '@mikro-orm/postgresql';
import type { NotificationData, NotificationKind } from './notification-kinds.ts';
import { renderSms } from './sms-messages.ts';
import { SmsDeliveryError, type SmsSender } from './sms-sender.ts';

export type SendResult =
  | { result: 'sent'; messageId: string; kind: NotificationKind }
  | { result: 'skipped'; reason: string }
  /** Worth another try later; the row is pending again. */
  | { result: 'retry'; error: SmsDeliveryError }
  /** Recorded as failed; never tried again. */
  | { result: 'failed'; error: string };

interface ClaimedRow {
  id: string;
  kind: NotificationKind;
  data: NotificationData;
  phone: string;
  title: string;
}

/**
 * Sends one notification at most once per claim. The row is claimed (pending → sending) in its own
 * committed statement before the SMS goes out, so a retried or duplicated job finds it claimed or
 * sent. If a worker dies mid-send nobody can know whether the SMS left; the row stays 'sending'
 * until the sweep settles it by its kind's policy (interrupted-sends.ts).
 */
export async function sendNotification(
  em: EntityManager,
  sms: SmsSender,
  notificationId: string,
  options: { finalAttempt: boolean },
): Promise<SendResult> {
  // A notice is about an auction, or about a listing without one (a called-off trade): both are
  // left joins, so a notice with neither still goes out (with an empty title) instead of hanging.
  const [claimed] = await em.execute<ClaimedRow[]>(
    `update notifications n set status = 'sending', attempts = n.attempts + 1, updated_at = now()
     from notifications t
       join users u on u.id = t.user_id
       left join auctions a on a.id = t.auction_id
       left join listings l on l.id = coalesce(t.listing_id, a.listing_id)
     where n.id = ? and t.id = n.id and n.status = 'pending' and n.sms
     returning n.id, n.kind, n.data, u.phone, coalesce(l.title, '') as title`,
    [notificationId],
  );
  if (!claimed) return { result: 'skipped', reason: 'not pending' };

  const message = renderSms(claimed.kind, claimed.title, claimed.data);
  try {
    const { messageId } = await sms.send(claimed.phone, message);
    await em.execute(
      `update notifications set status = 'sent', message = ?, provider_message_id = ?, sent_at = now(), updated_at = now(), last_error = null where id = ?`,
      [message, messageId, notificationId],
    );
    return { result: 'sent', messageId, kind: claimed.kind };
  } catch (error) {
    const delivery = error instanceof SmsDeliveryError ? error : new SmsDeliveryError(String(error), 'unknown', true);
    const giveUp = !delivery.retryable || options.finalAttempt;
    await em.execute(`update notifications set status = ?, last_error = ?, updated_at = now() where id = ?`, [
      giveUp ? 'failed' : 'pending',
      `${delivery.code}: ${delivery.message}`.slice(0, 500),
      notificationId,
    ]);
    return giveUp ? { result: 'failed', error: delivery.code } : { result: 'retry', error: delivery };
  }
}
