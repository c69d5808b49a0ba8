import { invalid } from '../errors.ts';

/**
 * Keyset cursors: the sort key of the last row on a page, opaque to clients. Encoding the values
 * (not an offset) keeps deep pages as cheap as the first and stable while rows are inserted.
 */
export type CursorValues = (string | number)[];
export type CursorField = 'timestamp' | 'uuid' | 'integer';

const VALID: Record<CursorField, (v: unknown) => boolean> = {
  // Checked here so that a forged cursor is a 400, not a failed cast inside PostgreSQL.
  timestamp: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  integer: (v) => typeof v === 'number' && Number.isSafeInteger(v),
};

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
