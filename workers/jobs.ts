/**
 * The one declaration of gavel's queues, job names and payloads. Producers (the API, the workers
 * themselves) and handlers import these, so a renamed job or a changed payload breaks the build.
 */
export const QUEUE_NAMES = ['auctions', 'notifications', 'media', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** Close an auction due at `endsAt` (ISO); a stale or duplicate job finds nothing to do. */
  'close-auction': { auctionId: string; endsAt: string; requestId?: string };
  /** Send one notification row by SMS. */
  'send-sms': { notificationId: string; requestId?: string };
  /** Check an attached photo's bytes and write its display size and thumbnail. */
  'process-photo': { photoId: string; requestId?: string };
  /** Remove stored objects of deleted listings and replaced photos. */
  'delete-objects': { keys: string[]; requestId?: string };
  /** Periodic: close anything overdue, re-queue stranded notifications, ending-soon notices. */
  sweep: Record<string, never>;
}
export type JobName = keyof JobPayloads;

export const QUEUE_OF: { readonly [J in JobName]: QueueName } = {
  'close-auction': 'auctions',
  'send-sms': 'notifications',
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
  processPhoto: (photoId: string) => `photo-${photoId}`,
};

/** What a handler reports; "skipped" means there was nothing to do, which is not a failure. */
export type JobOutcome = { status: 'done' | 'skipped' | 'rescheduled'; detail?: string };
