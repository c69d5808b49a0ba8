import type { ExecutionContext } from 'ava';
import type { HttpResult } from './api.ts';

/**
 * Where every problem type of the API lives (RFC 9457 `type` URIs). Written out here rather than
 * imported from the API, so that a change to the published URIs fails the tests.
 */
export const PROBLEMS = 'https://gavel.dev/problems/';

const PROBLEM_TYPE = /^https:\/\/gavel\.dev\/problems\/[a-z0-9-]+$/;

/**
 * The answer is an application/problem+json error as the API promises it: the HTTP status is
 * `status` and the body repeats it, `type` is one of the API's problem URIs (and ends in `code`,
 * when given), `title` is a non-empty string, and `requestId` is the X-Request-Id of the answer.
 * `label` names the case in every failure message (for loops over many cases).
 */
export function assertProblem(t: ExecutionContext, res: HttpResult, status: number, code?: string | null, label?: string): void {
  const named = (message: string) => (label === undefined ? message : `${label}: ${message}`);
  const body = res.body !== null && typeof res.body === 'object' ? (res.body as Record<string, unknown>) : undefined;
  t.is(res.status, status, named(JSON.stringify(res.body)));
  t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/, named('content-type'));
  t.truthy(body, named(`the body is not a JSON object: ${JSON.stringify(res.body)}`));
  t.regex(String(body?.type), PROBLEM_TYPE, named('type'));
  t.true(typeof body?.title === 'string' && body.title.length > 0, named(`title ${JSON.stringify(body?.title)}`));
  t.is(body?.status, status, named('status member'));
  t.is(typeof body?.requestId, 'string', named('requestId member'));
  t.is(body?.requestId, res.headers.get('x-request-id'), named('requestId member is the X-Request-Id'));
  if (code) t.is(body?.type, PROBLEMS + code, named('type'));
}
