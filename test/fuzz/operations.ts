import type { OpenApiDocument, Schema } from './json-schema.ts';

export type Auth = 'none' | 'optional' | 'required';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  /** The OpenAPI template, e.g. `/v1/listings/{id}`. */
  path: string;
  auth: Auth;
  params: Parameter[];
  body?: Schema;
  /** POST, PUT, PATCH and DELETE: a rejected one must leave the database as it was. */
  writes: boolean;
  /** Answers 200 with a long-lived text/event-stream: only rejections are fuzzed, a 200 is cut at once. */
  streams: boolean;
}

/** Operators' and browsers' pages, not part of the API a client codes against. */
const NOT_FUZZED = [/^\/metrics$/, /^\/docs(\/|$)/, /^\/admin\/queues(\/|$)/];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function authOf(security: unknown): Auth {
  if (!Array.isArray(security) || security.length === 0) return 'none';
  return security.some((requirement) => Object.keys(requirement ?? {}).length === 0) ? 'optional' : 'required';
}

/** Every operation of the published document, so a new route is fuzzed without touching this file. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    if (NOT_FUZZED.some((re) => re.test(path))) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params: Parameter[] = [...(item.parameters ?? []), ...(op.parameters ?? [])]
        .filter((p: any) => p.in === 'path' || p.in === 'query' || p.in === 'header')
        .map((p: any) => ({ name: p.in === 'header' ? String(p.name).toLowerCase() : p.name, in: p.in, required: p.in === 'path' || Boolean(p.required), schema: p.schema ?? {} }));
      // Path templates name parameters the document may forget to declare; they are still ids to fuzz.
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!params.some((p) => p.in === 'path' && p.name === name)) params.push({ name: name!, in: 'path', required: true, schema: { type: 'string' } });
      }
      const content = op.requestBody?.content ?? {};
      const body = content['application/json']?.schema;
      const streams = Object.keys(op.responses?.['200']?.content ?? {}).some((type) => type.startsWith('text/event-stream'));
      operations.push({
        method: method.toUpperCase(),
        path,
        auth: authOf(op.security ?? doc.security),
        params,
        ...(body ? { body } : {}),
        writes: method !== 'get',
        streams,
      });
    }
  }
  return operations;
}

export const titleOf = (op: Operation) => `${op.method} ${op.path}`;
