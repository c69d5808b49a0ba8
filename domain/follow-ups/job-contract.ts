/**
 * The one declaration of gavel's queues, job names, payloads and job ids. Use cases declare jobs
 * with it, infra enqueues them, workers handle them; it imports nothing, so every layer may
 * import it and a renamed job or a changed payload breaks the build everywhere at once.
 */
export const QUEUE_NAMES = ['auctions', 'offers', 'notifications', 'media', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * Every payload may carry the id of the request that caused it, so worker log lines join the
 * request's, and (with tracing on) its W3C trace context, so the job's spans continue its trace.
 */
interface Traced {
  requestId?: string;
  /** W3C `traceparent` of the span that caused the job (`infra/trace-context.ts`). */
  traceparent?: string;
}

export interface JobPayloads {
  /** Close an auction due at `endsAt` (ISO); a stale or duplicate job finds nothing to do. */
  'close-auction': Traced & { auctionId: string; endsAt: string };
  /** End an offer still open at `expiresAt` (ISO); an accepted or early-run one is left alone. */
  'expire-offer': Traced & { offerId: string; expiresAt: string };
  /** End a fixed-price trade still pending at `expiresAt` (ISO); a settled or early-run one is left alone. */
  'expire-trade': Traced & { tradeId: string; expiresAt: string };
  /** Tell the owners of keyword alerts a listing (put) on sale at `listedAt` (ISO) matches. */
  'match-keyword-alerts': Traced & { listingId: string; listedAt: string };
  /** Send one notification row by SMS. */
  'send-sms': Traced & { notificationId: string };
  /** Check an attached photo's bytes and write its display size and thumbnail. */
  'process-photo': Traced & { photoId: string };
  /** Remove stored objects of deleted listings and replaced photos. */
  'delete-objects': Traced & { keys: string[] };
  /** Periodic: close anything overdue, ending-soon notices, purges. */
  sweep: Traced;
}
export type JobName = keyof JobPayloads;

export const QUEUE_OF: { readonly [J in JobName]: QueueName } = {
  'close-auction': 'auctions',
  'expire-offer': 'offers',
  // Deals between buyer and seller that run out share a queue: offers and reserved purchases.
  'expire-trade': 'offers',
  'send-sms': 'notifications',
  // It only writes inbox notices, with a few index lookups per listing.
  'match-keyword-alerts': 'notifications',
  'process-photo': 'media',
  'delete-objects': 'media',
  sweep: 'maintenance',
};

/**
 * Deterministic ids make enqueueing idempotent: adding a job whose id exists is a no-op. A close
 * job is named by its due time, so a later end (soft close) gets a job of its own and the earlier
 * one, when it runs, finds the auction not yet due.
 */
export const jobIds = {
  closeAuction: (auctionId: string, endsAt: Date) => `close-${auctionId}-${endsAt.getTime()}`,
  sendSms: (notificationId: string) => `sms-${notificationId}`,
  /**
   * A send again after an interrupted one: the first send's id is still taken by its finished job
   * (kept a day), so each resend is named by the claim it follows.
   */
  resendSms: (notificationId: string, afterAttempt: number) => `sms-${notificationId}-after-${afterAttempt}`,
  processPhoto: (photoId: string) => `photo-${photoId}`,
  matchKeywordAlerts: (listingId: string, listedAt: Date) => `keyword-alerts-${listingId}-${listedAt.getTime()}`,
  expireOffer: (offerId: string) => `offer-expiry-${offerId}`,
  expireTrade: (tradeId: string) => `trade-expiry-${tradeId}`,
};

/**
 * A job a use case wants run once its transaction commits. `runAt` is judged against the
 * database clock when the job is recorded, never the host's. Without a `jobId` the job is named
 * after its outbox row, so a relayed copy is still a no-op.
 */
export type JobRequest = {
  [J in JobName]: { name: J; payload: JobPayloads[J]; jobId?: string; runAt?: Date };
}[JobName];

/** The jobs use cases declare, each built in one place with its id. */
export const jobs = {
  closeAuction: (auctionId: string, endsAt: Date): JobRequest => ({
    name: 'close-auction',
    payload: { auctionId, endsAt: endsAt.toISOString() },
    jobId: jobIds.closeAuction(auctionId, endsAt),
    runAt: endsAt,
  }),
  expireOffer: (offerId: string, expiresAt: Date): JobRequest => ({
    name: 'expire-offer',
    payload: { offerId, expiresAt: expiresAt.toISOString() },
    jobId: jobIds.expireOffer(offerId),
    runAt: expiresAt,
  }),
  expireTrade: (tradeId: string, expiresAt: Date): JobRequest => ({
    name: 'expire-trade',
    payload: { tradeId, expiresAt: expiresAt.toISOString() },
    jobId: jobIds.expireTrade(tradeId),
    runAt: expiresAt,
  }),
  resendSms: (notificationId: string, afterAttempt: number): JobRequest => ({
    name: 'send-sms',
    payload: { notificationId },
    jobId: jobIds.resendSms(notificationId, afterAttempt),
  }),
  processPhoto: (photoId: string): JobRequest => ({ name: 'process-photo', payload: { photoId }, jobId: jobIds.processPhoto(photoId) }),
  deleteObjects: (keys: string[]): JobRequest => ({ name: 'delete-objects', payload: { keys } }),
  /** Declared by every use case that puts a listing on sale (create, relist). */
  matchKeywordAlerts: (listingId: string, listedAt: Date): JobRequest => ({
    name: 'match-keyword-alerts',
    payload: { listingId, listedAt: listedAt.toISOString() },
    jobId: jobIds.matchKeywordAlerts(listingId, listedAt),
  }),
};

/** What a handler reports; "skipped" means there was nothing to do, which is not a failure. */
export type JobOutcome = { status: 'done' | 'skipped' | 'rescheduled'; detail?: string };
