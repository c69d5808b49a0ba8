import test, { type ExecutionContext } from 'ava';
import type { HttpResult } from './api.ts';
import { assertProblem, PROBLEMS } from './problems.ts';

/**
 * assertProblem is what dozens of tests rest on: it must pass a well-formed problem answer and
 * fail every answer that breaks one part of the contract.
 */
const answer = (overrides: { status?: number; contentType?: string | null; requestIdHeader?: string | null; body?: unknown } = {}): HttpResult => {
  const headers = new Headers();
  const contentType = overrides.contentType === undefined ? 'application/problem+json; charset=utf-8' : overrides.contentType;
  if (contentType !== null) headers.set('content-type', contentType);
  const requestId = overrides.requestIdHeader === undefined ? 'req-1' : overrides.requestIdHeader;
  if (requestId !== null) headers.set('x-request-id', requestId);
  const body = 'body' in overrides ? overrides.body : { type: `${PROBLEMS}listing-not-found`, title: 'Not Found', status: 404, detail: 'No such listing.', requestId: 'req-1' };
  return { status: overrides.status ?? 404, headers, body };
};

const good = answer().body as Record<string, unknown>;
const without = (key: string) => Object.fromEntries(Object.entries(good).filter(([k]) => k !== key));

async function outcome(t: ExecutionContext, res: HttpResult, status: number, code?: string | null): Promise<boolean> {
  const attempt = await t.try((tt) => assertProblem(tt, res, status, code));
  attempt.discard();
  return attempt.passed;
}

test('a well-formed problem passes, with and without a code', async (t) => {
  t.true(await outcome(t, answer(), 404));
  t.true(await outcome(t, answer(), 404, 'listing-not-found'));
  t.true(await outcome(t, answer(), 404, null));
});

test('each broken part of the contract fails it', async (t) => {
  const cases: [string, HttpResult, number, string?][] = [
    ['another HTTP status', answer({ status: 400 }), 404],
    ['plain JSON', answer({ contentType: 'application/json' }), 404],
    ['no content type', answer({ contentType: null }), 404],
    ['a text body', answer({ body: 'Not Found' }), 404],
    ['no body', answer({ body: '' }), 404],
    ['a type outside the API', answer({ body: { ...good, type: 'about:blank' } }), 404],
    ['no type', answer({ body: without('type') }), 404],
    ['an empty title', answer({ body: { ...good, title: '' } }), 404],
    ['no title', answer({ body: without('title') }), 404],
    ['a status member that differs', answer({ body: { ...good, status: 400 } }), 404],
    ['no status member', answer({ body: without('status') }), 404],
    ['no requestId member', answer({ body: without('requestId') }), 404],
    ['a requestId that is not the header', answer({ body: { ...good, requestId: 'req-2' } }), 404],
    ['no X-Request-Id header', answer({ requestIdHeader: null, body: { ...good, requestId: null } }), 404],
    ['another code', answer(), 404, 'auction-not-found'],
    ['a code that is only a suffix of the type', answer(), 404, 'not-found'],
  ];
  for (const [name, res, status, code] of cases) t.false(await outcome(t, res, status, code), name);
});
