import type { Logger } from './logger.ts';

export type Dependency = 'database' | 'redis';

/** Why a request could not be served: its dependency is unreachable, or the pool had no connection in time. */
export interface DependencyFailure {
  dependency: Dependency;
  reason: 'unavailable' | 'busy';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** SQLSTATE classes 08 (connection exception), 57P01-57P03 (shut down, crashed, not accepting yet), 53300 (too many connections). */
const PG_UNAVAILABLE_STATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** What `pg` says when the server goes away under a client; it sets no code. */
const PG_GONE = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable)/;
/** pg-pool, when no connection came free within `connectionTimeoutMillis`. */
const POOL_BUSY = 'timeout exceeded when trying to connect';
/** ioredis, for a command sent while the connection is down (the API's connection fails fast). */
const REDIS_DOWN = /^(Stream isn't writeable|Connection is closed|Reached the max retries per request limit)/;

/**
 * Tells a dependency outage (or a saturated pool) apart from a bug, by what `pg`, pg-pool, MikroORM
 * and ioredis throw. Anything else is `null` and stays a 500.
 */
export function classifyDependencyFailure(error: unknown): DependencyFailure | null {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, message, code } = e as { name?: unknown; message?: unknown; code?: unknown };
    if (name === 'MaxRetriesPerRequestError' || (typeof message === 'string' && REDIS_DOWN.test(message))) return { dependency: 'redis', reason: 'unavailable' };
    if (message === POOL_BUSY) return { dependency: 'database', reason: 'busy' };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_UNAVAILABLE_STATE.test(code))) return { dependency: 'database', reason: 'unavailable' };
    if (typeof message === 'string' && PG_GONE.test(message)) return { dependency: 'database', reason: 'unavailable' };
  }
  return null;
}

/**
 * Whether a dependency is reachable, as far as this process has seen: one warn when an outage
 * starts and one info when it ends, however many requests and reconnects fail in between. With a
 * probe, an outage is checked every `probeEveryMs` so its end is noticed without traffic.
 */
export interface DependencyStatus {
  readonly down: boolean;
  failed(error: unknown): void;
  recovered(): void;
  close(): void;
}

export function createDependencyStatus(dependency: Dependency, logger: Logger, probe?: { check(): Promise<void>; everyMs: number }): DependencyStatus {
  let downSince: number | null = null;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  const status: DependencyStatus = {
    get down() {
      return downSince !== null;
    },
    failed(error) {
      failures++;
      if (downSince !== null) return;
      downSince = Date.now();
      logger.warn({ dependency, err: error }, `${dependency} unavailable; answering 503 until it is back`);
      if (probe) {
        timer = setInterval(() => void probe.check().then(() => status.recovered(), () => undefined), probe.everyMs);
        timer.unref();
      }
    },
    recovered() {
      if (downSince === null) return;
      logger.info({ dependency, downMs: Date.now() - downSince, failures }, `${dependency} available again`);
      downSince = null;
      failures = 0;
      clearInterval(timer);
    },
    close() {
      clearInterval(timer);
    },
  };
  return status;
}
