import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import type { Route } from '../route.ts';
import { Problem } from '../schemas/common.ts';

/** Every tag an operation may carry, with what it groups; an unknown tag fails the build. */
const TAGS: Record<string, string> = {
  Operations: 'Probes and metrics for the platform running the service: liveness, readiness, Prometheus.',
  Accounts: 'Sign-up with a verified phone number, sessions (access and refresh tokens), the caller and public profiles.',
  Listings: 'Items for sale at a fixed price or by auction: categories, search, create, edit, relist.',
  Likes: 'Listings a user has liked.',
  Trades: 'A sale agreed between a buyer and the seller, from reservation to completion or cancellation.',
  Reviews: 'What the parties of a completed trade say about each other.',
  'Keyword alerts': 'Saved search words: a new listing matching one notifies its owner.',
  Auctions: 'Live auctions: bids (with proxy maximums), buy-now, the soft close, the live event stream.',
  Offers: 'Price offers on fixed-price listings, counter-offers, acceptance.',
  Notifications: 'The inbox of notices (many also sent by SMS) and the caller\'s live event stream.',
  Chat: 'Conversations between a buyer and a seller about a listing.',
  Moderation: 'Blocking users, reporting content, and what admins do about reports.',
  Photos: 'Listing photo uploads straight to object storage.',
};

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

/**
 * A stream's body is text, so its schema is a string; JSON Schema's `contentSchema` names the
 * schema of the JSON each event's `data:` line carries (OpenAPI 3.1 has no per-event schema).
 */
function mediaSchema(response: Route['spec']['responses'][number]) {
  if (!response.eventData) return response.schema!;
  const id = z.globalRegistry.get(response.eventData)?.id;
  if (!id) throw new Error('eventData must be a named schema (.meta({ id }))');
  const { $schema: _, ...stream } = z.toJSONSchema(response.schema!, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...stream, contentSchema: { $ref: `#/components/schemas/${id}` } };
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

function operation(route: Route): ZodOpenApiOperationObject {
  const { spec } = route;
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: mediaSchema(response) } } } : {}),
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
    // Public operations say so (`[]`): the document names no default for them to inherit.
    security: { none: [], optional: [{}, { bearerAuth: [] }], required: [{ bearerAuth: [] }] }[spec.auth],
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
  const used = new Set(routes.flatMap((r) => r.spec.tags));
  const unknown = [...used].filter((tag) => !(tag in TAGS));
  if (unknown.length) throw new Error(`OpenAPI tags without a description in api/openapi/document.ts: ${unknown.join(', ')}`);
  const eventSchemas = Object.fromEntries(
    routes.flatMap((r) => Object.values(r.spec.responses)).flatMap((response) => (response.eventData ? [[z.globalRegistry.get(response.eventData)!.id!, response.eventData]] : [])),
  );
  for (const route of routes) {
    const path = toOpenApiPath(route.spec.path);
    paths[path] = { ...paths[path], [route.spec.method]: operation(route) };
  }
  return withoutUnusedInputVariants(createDocument({
    openapi: '3.1.0',
    info: {
      title: 'gavel',
      version: '1.0.0',
      description: 'Second-hand marketplace with live auctions. Money is whole KRW won; times are UTC.',
      license: { name: 'Proprietary (UNLICENSED): all rights reserved' },
      contact: { name: 'gavel maintainers' },
    },
    // Relative: the document is served by the API it describes, at whatever origin that is.
    servers: [{ url: '/', description: 'The origin serving this document' }],
    tags: Object.entries(TAGS)
      .filter(([name]) => used.has(name))
      .map(([name, description]) => ({ name, description })),
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      // What the event streams' `data:` lines carry, named by their responses' `contentSchema`.
      schemas: eventSchemas,
    },
    paths,
  }));
}

/**
 * zod-openapi renders the schemas nested in a registered component (the stream events) in both
 * contexts, so `InboxItem` (input) appears beside `InboxItemOutput` though nothing uses it. An
 * unreferenced input variant is dropped and its output variant takes its name.
 */
function withoutUnusedInputVariants<T extends { components?: { schemas?: Record<string, unknown> } }>(doc: T): T {
  let text = JSON.stringify(doc);
  const schemas = doc.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) {
    const output = `${name}Output`;
    if (!(output in schemas) || text.includes(`"#/components/schemas/${name}"`)) continue;
    text = text.replaceAll(`"#/components/schemas/${output}"`, `"#/components/schemas/${name}"`);
    const parsed = JSON.parse(text);
    parsed.components.schemas[name] = parsed.components.schemas[output];
    delete parsed.components.schemas[output];
    text = JSON.stringify(parsed);
  }
  return JSON.parse(text);
}
