import { invalid } from '../errors.ts';

/**
 * Keyset cursors: the sort key of the last row on a page, opaque to clients. Encoding the values
 * (not an offset) keeps deep pages as cheap as the first and stable while rows are inserted.
 */
export type CursorValues = (string | number)[];
export type CursorField = 'timestamp' | 'uuid' | 'integer';

/**
 * `Date.parse` rolls 2026-02-30 over to March 2 and reads 24:00 as the next day, where PostgreSQL
 * refuses the first; only a time that reads back unchanged is one this code wrote. Year 0000 does
 * not exist for PostgreSQL either.
 */
function isRealInstant(value: string): boolean {
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && !value.startsWith('0000') && new Date(ms).toISOString().slice(0, 19) === value.slice(0, 19);
}

const VALID: Record<CursorField, (v: unknown) => boolean> = {
  // Checked here so that a forged cursor is a 400, not a failed cast inside PostgreSQL.
  timestamp: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v) && isRealInstant(v),
  uuid: (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  integer: (v) => typeof v === 'number' && Number.isSafeInteger(v),
};

/**
 * SQL for a timestamp column as a microsecond-exact ISO string, for a keyset cursor (a JS Date
 * keeps only milliseconds, so a cursor built from one could skip or repeat rows).
 */
export const cursorTimestampSql = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const encodeCursor = (values: CursorValues): string => Buffer.from(JSON.stringify(values)).toString('base64url');

export function decodeCursor(cursor: string, shape: readonly CursorField[]): CursorValues {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  const valid = Array.isArray(values) && values.length === shape.length && values.every((v, i) => VALID[shape[i]!](v));
  if (!valid) throw invalid('invalid-cursor', 'The cursor is not one this list handed out.');
  return values as CursorValues;
}
