import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../errors.ts';

export interface StoredResponse {
  statusCode: number;
  response: unknown;
}

/** Keys live 24 hours, as Stripe's do; an older key is treated as never seen. */
export const IDEMPOTENCY_TTL_H = 24;
/** The same lifetime as an SQL interval, for the queries that judge a key's age. */
export const IDEMPOTENCY_TTL_SQL = `interval '${IDEMPOTENCY_TTL_H} hours'`;

/** What "the same request" means: same operation, same target, same body. */
export const requestHash = (operation: string, target: string, body: unknown): string =>
  createHash('sha256').update(JSON.stringify([operation, target, body])).digest('hex');

export async function findStoredResponse(
  em: EntityManager,
  userId: string,
  key: string,
  hash: string,
): Promise<StoredResponse | null> {
  const [row] = await em.execute<{ request_hash: string; status_code: number; response: unknown }[]>(
    `select request_hash, status_code, response from idempotency_keys
     where user_id = ? and key = ? and created_at > now() - ${IDEMPOTENCY_TTL_SQL}`,
    [userId, key],
  );
  if (!row) return null;
  if (row.request_hash !== hash) {
    throw new DomainError('unprocessable', 'idempotency-key-reused', 'This Idempotency-Key was used with a different request.');
  }
  return { statusCode: row.status_code, response: row.response };
}
