import type { AuctionEventData } from '../domain/auctions/auction-events.ts';
import { markEventsPublished, relayUnpublishedEvents } from '../domain/auctions/outbox.ts';
import type { CommittedFollowUps, FollowUpDispatcher, RecordedJob } from '../domain/follow-ups/follow-ups.ts';
import { jobIds } from '../domain/follow-ups/job-contract.ts';
import { claimStrandedJobs, forgetJobs } from '../domain/follow-ups/job-outbox.ts';
import { findStrandedNotificationIds } from '../domain/notifications/stranded-notifications.ts';
import { markUserEventsPublished, relayUnpublishedUserEvents, userEventsOf } from '../domain/user-stream/user-event-log.ts';
import type { EventBus } from './event-bus.ts';
import type { Orm } from './database.ts';
import type { JobQueues } from './job-queues.ts';
import { classifyDependencyFailure, type DependencyStatus } from './dependency-failures.ts';
import type { Logger } from './logger.ts';
import { microBatch } from './micro-batch.ts';
import { currentRequestId } from './request-origin.ts';
import { currentTraceparent } from './trace-context.ts';

export interface RelayOptions {
  /** Rows younger than this belong to the process that wrote them, which is carrying them out. */
  graceMs: number;
  /** A pending notification this old has probably lost its send job. */
  notificationGraceS: number;
  /**
   * Whether to look for such notifications on this pass. A row waiting out a retry backoff is
   * pending too and re-adding its job is a no-op, but a cheap one only if not done every second.
   */
  notifications: boolean;
  limit: number;
}

export interface RelayReport {
  events: number;
  userEvents: number;
  jobs: number;
  notifications: number;
}

export interface FollowUpCarrier extends FollowUpDispatcher {
  /** One pass of the recovery path: carries out what dead processes (or a Redis outage) left behind. */
  relayStranded(options?: Partial<RelayOptions>): Promise<RelayReport>;
}

const RELAY_DEFAULTS: RelayOptions = { graceMs: 2000, notificationGraceS: 30, notifications: true, limit: 500 };

/**
 * The one place follow-ups are carried out, for every process: events go to Redis pub/sub and are
 * marked published, notifications get their send job, recorded jobs are enqueued (each under a
 * deterministic id, so a repeat is a no-op) and leave the outbox. After a commit a failure is only
 * logged: the rows stay, and the relay (below, run by the workers) finishes the work.
 */
export function createFollowUpDispatcher(deps: { orm: Orm; events: EventBus; jobs: JobQueues; logger: Logger; redisStatus?: DependencyStatus }): FollowUpCarrier {
  const { orm, events, jobs, logger, redisStatus } = deps;
  // The request id, and the active span's trace context (none with tracing off), ride in the payload.
  const traced = <T extends object>(payload: T, requestId: string | undefined): T => {
    const traceparent = currentTraceparent();
    return { ...payload, ...(requestId ? { requestId } : {}), ...(traceparent ? { traceparent } : {}) };
  };

  const enqueueJob = (job: RecordedJob, requestId?: string) =>
    jobs.enqueue(job.request.name, traced(job.request.payload, requestId) as never, { jobId: job.request.jobId, delayMs: job.delayMs });
  const enqueueSend = (notificationId: string, requestId?: string) =>
    jobs.enqueue('send-sms', traced({ notificationId }, requestId), { jobId: jobIds.sendSms(notificationId) });

  // The commits that finish in one turn of the event loop are carried out together: one
  // statement marks all their events published, one reads all their user events. Publishes go
  // out at once on the one command connection, which Redis runs in the order they were sent, so
  // a later event of an auction never overtakes an earlier one on its channel.
  const publishEvents = microBatch<AuctionEventData[]>(async (lists) => {
    const all = lists.flat();
    await Promise.all(all.map((event) => events.publish(event)));
    await markEventsPublished(orm.em.fork(), all);
  });
  const publishUserEvents = microBatch<{ notificationIds: string[]; messageIds: string[] }>(async (written) => {
    const em = orm.em.fork();
    const userEvents = await userEventsOf(em, { notificationIds: written.flatMap((w) => w.notificationIds), messageIds: written.flatMap((w) => w.messageIds) });
    await Promise.all(userEvents.map((event) => events.publishToUser(event)));
    await markUserEventsPublished(em, userEvents);
  });

  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      const context = { err: error, what, requestId: currentRequestId() };
      // During a Redis outage every commit lands here: the outage is logged once, not per request.
      if (redisStatus && (redisStatus.down || classifyDependencyFailure(error)?.dependency === 'redis')) {
        redisStatus.failed(error);
        logger.debug(context, 'follow-up not carried out after commit; the relay will retry it');
      } else logger.warn(context, 'follow-up not carried out after commit; the relay will retry it');
    }
  };

  return {
    async dispatch(followUps: CommittedFollowUps) {
      const requestId = currentRequestId();
      await Promise.all([
        followUps.events.length &&
          attempt('publish events', () => publishEvents(followUps.events)),
        followUps.notifications.some((n) => n.sms) &&
          attempt('enqueue notifications', async () => {
            await Promise.all(followUps.notifications.filter((n) => n.sms).map((n) => enqueueSend(n.id, requestId)));
          }),
        (followUps.notifications.length || followUps.messageIds.length) &&
          attempt('publish user events', () => publishUserEvents({ notificationIds: followUps.notifications.map((n) => n.id), messageIds: [...followUps.messageIds] })),
        followUps.userControls.length &&
          attempt('publish stream controls', async () => {
            for (const control of followUps.userControls) await events.publishToUser(control);
          }),
        followUps.jobs.length &&
          attempt('enqueue jobs', async () => {
            await Promise.all(followUps.jobs.map((job) => enqueueJob(job, requestId)));
            await forgetJobs(orm.em.fork(), followUps.jobs.map((job) => job.outboxId));
          }),
      ]);
    },

    async relayStranded(overrides = {}) {
      const options = { ...RELAY_DEFAULTS, ...overrides };
      const relayedEvents = await relayUnpublishedEvents(orm.em.fork(), (event) => events.publish(event), options);
      const relayedUserEvents = await relayUnpublishedUserEvents(orm.em.fork(), (event) => events.publishToUser(event), options);
      const relayedJobs = await orm.em.fork().transactional(async (tx) => {
        const stranded = await claimStrandedJobs(tx, options.graceMs, options.limit);
        await Promise.all(stranded.map((job) => enqueueJob(job)));
        await forgetJobs(tx, stranded.map((job) => job.outboxId));
        return stranded.length;
      });
      const notificationIds = options.notifications ? await findStrandedNotificationIds(orm.em.fork(), options.notificationGraceS, options.limit) : [];
      await Promise.all(notificationIds.map((id) => enqueueSend(id)));
      return { events: relayedEvents, userEvents: relayedUserEvents, jobs: relayedJobs, notifications: notificationIds.length };
    },
  };
}
