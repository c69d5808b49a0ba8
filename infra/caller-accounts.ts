import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { findCallerAccount, type CallerAccount } from '../domain/accounts/find-caller.ts';
import type { Logger } from './logger.ts';

/** The channel the `users` triggers announce a changed role or suspension, or a deleted account, on. */
export const ACCOUNT_CHANGES_CHANNEL = 'gavel_account_changes';

export interface CallerAccounts {
  /** The caller's role and suspension as PostgreSQL has them (null: no such account). */
  find(em: EntityManager, userId: string): Promise<CallerAccount | null>;
  /** Drops this process's copy at once, for a change it committed itself (others hear the NOTIFY). */
  forget(userId: string): void;
  /**
   * Resolves once every change committed before the call has been announced here (a round trip on
   * the listening connection: PostgreSQL sends pending notifications before its answer).
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface CallerAccountsSettings {
  databaseUrl: string;
  /** How long a copy may be used; 0 turns the copies off (every request reads the row). */
  ttlMs: number;
  maxEntries: number;
}

/**
 * Every authenticated request needs the caller's role and whether they are suspended; reading the
 * row each time was one of the six statements a bid cost. Each API process keeps copies, and
 * forgets one the moment PostgreSQL announces a change to it (LISTEN on a connection of its own:
 * NOTIFY is sent at commit, whoever changed the row). While that connection is down nothing is
 * copied or trusted, since an announcement may be missed; the TTL bounds a copy's age anyway.
 * Admins are never copied: a demotion takes effect on the very next request, not a moment later.
 */
export function createCallerAccounts(settings: CallerAccountsSettings, logger: Logger): CallerAccounts {
  const copies = new Map<string, { account: CallerAccount | null; until: number }>();
  let listening = false;
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  /** Bumped whenever copies may be stale, so a read that started before it does not store its answer. */
  let generation = 0;

  const forgetAll = () => {
    generation++;
    copies.clear();
  };

  const listen = async () => {
    const next = new pg.Client({ connectionString: settings.databaseUrl, application_name: 'gavel-account-changes' });
    const lost = (error?: Error) => {
      if (client !== next) return;
      client = null;
      listening = false;
      forgetAll();
      next.end().catch(() => undefined);
      if (closed) return;
      if (error) logger.warn({ err: error }, 'account change listener lost its connection; caller copies are off until it is back');
      retry = setTimeout(() => void listen(), 1000);
      retry.unref();
    };
    client = next;
    next.on('error', lost);
    next.on('end', () => lost());
    next.on('notification', (message) => {
      generation++;
      if (message.payload) copies.delete(message.payload);
    });
    try {
      await next.connect();
      await next.query(`listen ${ACCOUNT_CHANGES_CHANNEL}`);
      if (client === next && !closed) listening = true;
    } catch (error) {
      lost(error as Error);
    }
  };

  if (settings.ttlMs > 0) void listen();

  return {
    async find(em, userId) {
      const now = Date.now();
      const copy = listening ? copies.get(userId) : undefined;
      if (copy && copy.until > now) return copy.account;
      const startedAt = generation;
      const account = await findCallerAccount(em, userId);
      // A change announced while the row was being read may or may not be in this answer.
      if (listening && startedAt === generation && account?.role !== 'admin') {
        copies.delete(userId);
        copies.set(userId, { account, until: now + settings.ttlMs });
        if (copies.size > settings.maxEntries) copies.delete(copies.keys().next().value!);
      }
      return account;
    },
    forget(userId) {
      generation++;
      copies.delete(userId);
    },
    async settled() {
      if (listening && client) await client.query('select 1').catch(() => undefined);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      listening = false;
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
