import type { Middleware } from 'koa';
import { DomainError, type ErrorKind } from '../../domain/errors.ts';
import type { AppState } from '../context.ts';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
};

const TITLE_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
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
  if (error instanceof DomainError) {
    const status = STATUS_BY_KIND[error.kind];
    return { type: PROBLEM_TYPE_BASE + error.code, title: TITLE_BY_STATUS[status]!, status, detail: error.message, ...withoutStandardMembers(error.extras) };
  }
  const httpStatus = (error as { status?: unknown })?.status;
  if (typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500) {
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

const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'requestId']);
const withoutStandardMembers = (extras: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(extras).filter(([key]) => !STANDARD_MEMBERS.has(key)));

function httpErrorCode(status: number, error: unknown): string {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.parse.failed') return 'malformed-json';
  if (status === 413) return 'body-too-large';
  if (status === 415) return 'unsupported-media-type';
  if (status === 405) return 'method-not-allowed';
  return 'bad-request';
}

export function problemHandler(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) ctx.state.log.error({ err: error }, 'request failed');
      else ctx.state.log.info({ problem: problem.type }, 'request rejected');
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = { ...problem, requestId: ctx.state.requestId };
      const retryAfter = problem.retryAfterS;
      if (typeof retryAfter === 'number') ctx.set('Retry-After', String(retryAfter));
      const allow = (error as { headers?: Record<string, string> })?.headers?.Allow;
      if (allow) ctx.set('Allow', allow);
    }
  };
}
