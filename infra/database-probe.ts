import pg from 'pg';

/** A readiness check of PostgreSQL that never queues behind the request pool. */
export interface DatabaseProbe {
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One connection of its own, opened on first use, with `timeoutMs` to connect and to answer: a
 * pool saturated by requests is busy, not a dead database, and must not be reported as one.
 * Checks that overlap (several load balancers) share one query.
 */
export function createDatabaseProbe(databaseUrl: string, timeoutMs: number): DatabaseProbe {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 1,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    idleTimeoutMillis: 60_000,
    application_name: 'gavel-readiness',
  });
  // An idle connection dropped by the server is discarded by the pool; the next check reconnects.
  pool.on('error', () => undefined);
  let running: Promise<void> | null = null;
  return {
    check() {
      running ??= pool.query('select 1').then(
        () => {
          running = null;
        },
        (error: unknown) => {
          running = null;
          throw error;
        },
      );
      return running;
    },
    close: () => pool.end(),
  };
}
