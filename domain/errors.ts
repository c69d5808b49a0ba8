/**
 * The one error family of gavel. Domain code throws these; `api/middleware/problem.ts` maps the
 * `kind` to an HTTP status and the `code` to a problem type, so no route repeats that mapping.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'rate_limited'
  /** The client sent too slowly: 408. */
  | 'too_slow'
  /** A service we depend on (SMS) failed in a way worth retrying later: 503. */
  | 'unavailable';

export class DomainError extends Error {
  readonly kind: ErrorKind;
  /** Stable, machine-readable slug; becomes the problem `type`. */
  readonly code: string;
  /** Extra members for the problem body (never secrets). */
  readonly extras: Record<string, unknown>;

  constructor(kind: ErrorKind, code: string, message: string, extras: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.extras = extras;
  }
}

export const notFound = (what: string, code = `${what}-not-found`) =>
  new DomainError('not_found', code, `The ${what} does not exist.`);

export const forbidden = (code: string, message: string) => new DomainError('forbidden', code, message);

export const conflict = (code: string, message: string, extras?: Record<string, unknown>) =>
  new DomainError('conflict', code, message, extras);

export const unauthorized = (code: string, message: string) => new DomainError('unauthorized', code, message);

export const invalid = (code: string, message: string, extras?: Record<string, unknown>) =>
  new DomainError('invalid', code, message, extras);
