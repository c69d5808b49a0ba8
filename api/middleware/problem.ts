import type { Middleware } from 'koa';
import { DomainError, type ErrorKind } from '../../domain/errors.ts';
import { classifyDependencyFailure, type DependencyFailure, type DependencyStatus } from '../../infra/dependency-failures.ts';
import type { AppState } from '../context.ts';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  too_slow: 408,
  unavailable: 503,
};

const TITLE_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export const PROBLEM_TYPE_BASE = 'https://gavel.dev/problems/';

/**
 * A 503 raised on purpose: the instance sheds load, or a dependency cannot be reached. Answered
 * with `Retry-After`, and not logged as an error: it is no bug of ours.
 */
export class ServiceUnavailable extends Error {
  override name = 'ServiceUnavailable';
  readonly status = 503;
  readonly expose = true;
  readonly code: string;
  readonly retryAfterS: number;
  constructor(code: string, message: string, retryAfterS: number) {
    super(message);
    this.code = code;
    this.retryAfterS = retryAfterS;
  }
}

const DEPENDENCY_PROBLEMS: Record<`${DependencyFailure['dependency']}-${DependencyFailure['reason']}`, { code: string; detail: string }> = {
  'database-unavailable': { code: 'database-unavailable', detail: 'The database cannot be reached; try again shortly.' },
  'database-busy': { code: 'database-busy', detail: 'Every database connection is busy; try again shortly.' },
  'redis-unavailable': { code: 'redis-unavailable', detail: 'Redis cannot be reached; try again shortly.' },
  'redis-busy': { code: 'redis-unavailable', detail: 'Redis cannot be reached; try again shortly.' },
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [member: string]: unknown;
}

/**
 * The one mapping from thrown errors to problem+json. Domain errors keep their code; errors from
 * Koa and its body parser (malformed JSON, oversized body) keep their 4xx status; anything else is
 * a 500 that reveals nothing but the request id.
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof ServiceUnavailable) {
    return { type: PROBLEM_TYPE_BASE + error.code, title: TITLE_BY_STATUS[503]!, status: 503, detail: error.message, retryAfterS: error.retryAfterS };
  }
  if (error instanceof DomainError) {
    const status = STATUS_BY_KIND[error.kind];
    return { type: PROBLEM_TYPE_BASE + error.code, title: TITLE_BY_STATUS[status]!, status, detail: error.message, ...withoutStandardMembers(error.extras) };
  }
  const bodyProblem = unparsableBody(error);
  if (bodyProblem) return bodyProblem;
  const httpStatus = (error as { status?: unknown })?.status;
  // 501 is what the router answers for a method it knows nothing about; it is not our failure.
  // A 503 only when we raised it on purpose (a deadline, a draining instance): any other 5xx from a
  // library is our failure and stays a generic 500.
  const ours503 = httpStatus === 503 && (error as { expose?: boolean }).expose === true;
  if (typeof httpStatus === 'number' && ((httpStatus >= 400 && httpStatus < 500) || httpStatus === 501 || ours503)) {
    const code = httpErrorCode(httpStatus, error);
    const expose = (error as { expose?: boolean }).expose;
    return {
      type: PROBLEM_TYPE_BASE + code,
      title: TITLE_BY_STATUS[httpStatus] ?? 'Client Error',
      status: httpStatus,
      detail: expose ? (error as Error).message : undefined,
    };
  }
  return { type: PROBLEM_TYPE_BASE + 'internal-error', title: TITLE_BY_STATUS[500]!, status: 500, detail: 'Something went wrong on our side.' };
}

/**
 * The JSON body parser (co-body) throws a bare SyntaxError with `status: 400` and the raw text as
 * `body`: for text that is not JSON, for JSON that is not an object or array (strict mode refuses
 * `null`, `"text"`, `42`) and for a `__proto__` member. Only the first is malformed JSON; the others
 * are answered like any schema mismatch. A body whose gzip or deflate encoding is corrupt fails
 * inside zlib, with no status at all.
 */
function unparsableBody(error: unknown): Problem | undefined {
  const zlibCode = (error as { code?: unknown })?.code;
  // zlib's codes for gzip/deflate (Z_DATA_ERROR, ...) and Brotli's (ERR__ERROR_FORMAT_...).
  if (typeof zlibCode === 'string' && /^(Z_[A-Z_]+|ERR__[A-Z0-9_]+)$/.test(zlibCode)) {
    return { type: PROBLEM_TYPE_BASE + 'malformed-body', title: TITLE_BY_STATUS[400]!, status: 400, detail: 'The body does not decompress as its Content-Encoding says.' };
  }
  const parseFailed =
    (error instanceof SyntaxError && (error as { status?: unknown }).status === 400 && typeof (error as { body?: unknown }).body === 'string') ||
    (error as { type?: unknown })?.type === 'entity.parse.failed';
  if (!parseFailed) return undefined;
  const raw = (error as { body?: unknown }).body;
  const json = typeof raw === 'string' ? parseJson(raw) : undefined;
  if (!json) {
    return { type: PROBLEM_TYPE_BASE + 'malformed-json', title: TITLE_BY_STATUS[400]!, status: 400, detail: `The body is not valid JSON: ${(error as Error).message}` };
  }
  const message = typeof json.value === 'object' && json.value !== null ? (error as Error).message : 'expected a JSON object';
  return {
    type: PROBLEM_TYPE_BASE + 'validation-failed',
    title: TITLE_BY_STATUS[400]!,
    status: 400,
    detail: 'The request does not match the schema.',
    errors: [{ in: 'body', path: '', message }],
  };
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'requestId']);
const withoutStandardMembers = (extras: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(extras).filter(([key]) => !STANDARD_MEMBERS.has(key)));

function httpErrorCode(status: number, error: unknown): string {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.parse.failed') return 'malformed-json';
  if (status === 413) return 'body-too-large';
  if (status === 415) return 'unsupported-media-type';
  if (status === 405) return 'method-not-allowed';
  if (status === 408) return 'request-body-timeout';
  if (status === 501) return 'method-not-implemented';
  if (status === 503) return (error as { code?: unknown }).code === 'request-timeout' ? 'request-timeout' : 'unavailable';
  return 'bad-request';
}

/** The client went away before its request had arrived whole: nobody will read an answer. */
const clientAborted = (req: { complete: boolean; destroyed: boolean; aborted?: boolean }) => !req.complete && (req.destroyed || req.aborted === true);

export interface ProblemHandlerOptions {
  /** Told of every request that found PostgreSQL or Redis unreachable (it logs each outage once). */
  dependencies?: Record<DependencyFailure['dependency'], Pick<DependencyStatus, 'failed'>>;
  /** `Retry-After` while a dependency is unreachable. */
  dependencyRetryAfterS?: number;
}

export function problemHandler(options: ProblemHandlerOptions = {}): Middleware<AppState> {
  const { dependencies, dependencyRetryAfterS = 2 } = options;
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      // What would otherwise be a 500, when the client hung up mid-body (a route that reads the body
      // itself and did not say so): not a failure of ours, worth a line, not an error with a stack.
      if (clientAborted(ctx.req) && !classifyDependencyFailure(caught) && toProblem(caught).status >= 500) {
        ctx.state.log.info({ reason: (caught as { code?: unknown })?.code ?? (caught as Error)?.message }, 'client closed the request before sending all of it');
        ctx.status = 400;
        ctx.type = 'application/problem+json';
        ctx.body = { type: PROBLEM_TYPE_BASE + 'request-aborted', title: TITLE_BY_STATUS[400], status: 400, detail: 'The request was closed before its body arrived.', requestId: ctx.state.requestId };
        return;
      }
      let error = caught;
      // A dependency outage or a saturated pool is a 503 the client may retry, not a bug.
      const failure = classifyDependencyFailure(error);
      if (failure) {
        const { code, detail } = DEPENDENCY_PROBLEMS[`${failure.dependency}-${failure.reason}`];
        error = new ServiceUnavailable(code, detail, failure.reason === 'busy' ? 1 : dependencyRetryAfterS);
        if (failure.reason === 'unavailable') dependencies?.[failure.dependency].failed(caught);
      }
      const problem = toProblem(error);
      if (error instanceof ServiceUnavailable) ctx.state.log.debug({ problem: problem.type, err: caught }, 'request refused');
      else if (problem.status >= 500) ctx.state.log.error({ err: error }, 'request failed');
      else ctx.state.log.info({ problem: problem.type }, 'request rejected');
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = { ...problem, requestId: ctx.state.requestId };
      const retryAfter = problem.retryAfterS;
      if (typeof retryAfter === 'number') ctx.set('Retry-After', String(retryAfter));
    }
  };
}
