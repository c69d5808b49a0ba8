import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import type { Route } from '../route.ts';
import { AuctionEvent } from '../schemas/auctions.ts';
import { Problem } from '../schemas/common.ts';

/** Statuses any route may answer with, whatever it declares. */
const ALWAYS = [429, 500];
/** What every route of the service (not the probes) may answer: shed under overload, or a dependency down. */
const SERVICE = /^\/v1\//;

/** Statuses that follow from the shape of a route: what it reads and whom it lets in. */
function impliedProblems(spec: Route['spec']): number[] {
  const statuses: number[] = [];
  if (spec.params || spec.query || spec.headers || spec.body) statuses.push(400);
  // Any route answers a bad token with 401; it is worth saying only where tokens are meant to be sent.
  if (spec.auth !== 'none') statuses.push(401);
  // A body that does not arrive whole before the deadline is the client's timeout.
  if (spec.body) statuses.push(408, 413, 415);
  return statuses;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed input (problem+json lists each field error)',
  401: 'Missing, invalid or expired credentials',
  403: 'Authenticated but not allowed',
  404: 'No such resource',
  408: 'The body did not arrive before the request deadline',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  415: 'Body is not JSON',
  422: 'Well-formed but not acceptable',
  429: 'Too many requests; see Retry-After',
  500: 'Unexpected failure (the body carries the request id)',
  503: 'Not ready, overloaded (shed), or PostgreSQL/Redis unreachable; see Retry-After',
};

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

function operation(route: Route): ZodOpenApiOperationObject {
  const { spec } = route;
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } } : {}),
    };
  }
  const problems = [...new Set([...spec.problems, ...impliedProblems(spec), ...ALWAYS, ...(SERVICE.test(spec.path) ? [503] : [])])].sort((a, b) => a - b);
  for (const status of problems) {
    // A status the route answers with its own body (readiness's 503) keeps that body.
    if (String(status) in responses) continue;
    responses[String(status)] = { description: DESCRIPTIONS[status] ?? 'Problem', content: { 'application/problem+json': { schema: Problem } } };
  }
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    ...(spec.auth === 'required' ? { security: [{ bearerAuth: [] }] } : {}),
    ...(spec.auth === 'optional' ? { security: [{}, { bearerAuth: [] }] } : {}),
    requestParams: {
      ...(spec.params ? { path: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.headers ? { header: spec.headers } : {}),
    },
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    responses: responses as ZodOpenApiOperationObject['responses'],
  };
}

/** Builds the OpenAPI 3.1 document from the same route specs that validate requests. */
export function buildOpenApiDocument(routes: Route[], extraPaths: ZodOpenApiPathsObject = {}) {
  const paths: ZodOpenApiPathsObject = { ...extraPaths };
  for (const route of routes) {
    const path = toOpenApiPath(route.spec.path);
    paths[path] = { ...paths[path], [route.spec.method]: operation(route) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'gavel',
      version: '1.0.0',
      description: 'Second-hand marketplace with live auctions. Money is whole KRW won; times are UTC.',
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      // Named by no operation (an event stream's body is text), yet what its events carry.
      schemas: { AuctionEvent },
    },
    paths,
  });
}
