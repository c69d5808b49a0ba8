import type { CallerAccounts } from '../infra/caller-accounts.ts';
import type { ParameterizedContext } from 'koa';
import type { Caller } from '../domain/accounts/access-tokens.ts';
import type { EventHub } from '../infra/event-hub.ts';
import type { EntityManager } from '../infra/database.ts';
import type { Infrastructure } from '../infra/infrastructure.ts';
import type { Logger } from '../infra/logger.ts';
import type { StreamLimiter } from '../infra/stream-limiter.ts';
import type { StreamTickets } from '../infra/stream-tickets.ts';
import type { PresenceTracker } from '../infra/presence.ts';
import type { OpenStreams } from './sse/open-streams.ts';
import type { SharedReads } from './sse/shared-reads.ts';

/**
 * What `createApp` needs: the infrastructure every process shares, plus what only an API process
 * has (its live-event subscriptions and open streams). Tests build it against their own database.
 */
export interface AppDeps extends Infrastructure {
  /** This process's subscriptions, shared by its SSE clients. */
  eventHub: EventHub;
  /** Callers' role and suspension, copied per process and forgotten when PostgreSQL announces a change. */
  callerAccounts: CallerAccounts;
  streams: OpenStreams;
  /** Event-log reads that streams opening at once share (one query per question per process). */
  sharedReads: SharedReads;
  streamLimiter: StreamLimiter;
  streamTickets: StreamTickets;
  /** Who has a stream of their own open, on any instance. */
  presence: PresenceTracker;
  /** Flipped by the server on SIGTERM so that readiness fails before the listener closes. */
  lifecycle: { shuttingDown: boolean };
}

export interface AppState {
  requestId: string;
  log: Logger;
  /** A fresh EntityManager for this request only. */
  em: EntityManager;
  /** The same on the read replica, for the routes whose spec says `reads: 'replica'`. */
  readEm: EntityManager;
  caller?: Caller;
}

export type AppContext = ParameterizedContext<AppState>;
