import type { AuctionEventData } from '../auctions/auction-events.ts';
import type { WrittenNotice } from '../notifications/notification-kinds.ts';
import type { UserStreamControl } from '../user-stream/user-event-log.ts';
import type { JobRequest } from './job-contract.ts';

/**
 * What must follow a committed change. Each kind is a row written in the change's own
 * transaction, so nothing depends on the process surviving the commit: the dispatcher carries
 * them out right after it, the workers' relay carries out whatever a dead process left behind.
 * - `events`: auction events already in the outbox (`auction_events`), to publish live;
 * - `notifications`: notification rows already written, to push on their users' streams and, where
 *   they go by SMS (`pending`), to send;
 * - `messageIds`: chat messages already written, whose events on both parties' streams to publish;
 * - `jobs`: jobs to enqueue, written to `job_outbox` by `transactionWithFollowUps`;
 * - `userControls`: ends of a user's streams (a suspension). These alone have no row: they are
 *   published once, and a stream that misses one (Redis down) was ending anyway, for want of Redis;
 *   its reconnect is then refused.
 */
export interface FollowUps {
  events?: AuctionEventData[];
  notifications?: WrittenNotice[];
  messageIds?: string[];
  jobs?: JobRequest[];
  userControls?: UserStreamControl[];
}

/** A job as recorded in the outbox: its row id and how long to wait, by the database clock. */
export interface RecordedJob {
  outboxId: string;
  request: JobRequest;
  delayMs: number;
}

/** `FollowUps` once the transaction has recorded its jobs. */
export interface CommittedFollowUps {
  events: AuctionEventData[];
  notifications: WrittenNotice[];
  messageIds: string[];
  jobs: RecordedJob[];
  userControls: UserStreamControl[];
}

/**
 * The port a use case hands its committed follow-ups to; written once in infra. It never throws:
 * the change is already the truth, and what it could not carry out stays in its outbox row.
 */
export interface FollowUpDispatcher {
  dispatch(followUps: CommittedFollowUps): Promise<void>;
}

export const noFollowUps = (): CommittedFollowUps => ({ events: [], notifications: [], messageIds: [], jobs: [], userControls: [] });
