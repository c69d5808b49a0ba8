import type { Middleware } from 'koa';
import type { z } from 'zod';
import type { Caller } from '../domain/accounts/access-tokens.ts';
import { DomainError, unauthorized } from '../domain/errors.ts';
import type { EntityManager } from '../infra/database.ts';
import type { AppContext, AppState } from './context.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Everything about one route that is not its behaviour. The same schemas validate the request,
 * shape the response and generate `/openapi.json`, so the document cannot drift from the code.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** Koa style, e.g. `/v1/listings/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: 'none' | 'optional' | 'required';
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /**
   * `contentType` defaults to application/json; a streaming route names its own, and `eventData`
   * the named schema (a `.meta({ id })` one) of the JSON each event's `data:` line carries.
   */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string; eventData?: z.ZodType }>;
  /** Problem statuses this route can answer with, beyond the ones every route can. */
  problems: number[];
  /**
   * `replica`: the handler's `em` reads from the read replica (`DATABASE_READ_URL`), which may lag
   * the primary by a moment. Only for GET routes whose answer may be a moment old (search, bid
   * history, profiles); never one that locks, applies a rule or writes.
   */
  reads?: 'primary' | 'replica';
}

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteInput<S extends RouteSpec> {
  params: Parsed<S['params']>;
  query: Parsed<S['query']>;
  headers: Parsed<S['headers']>;
  body: Parsed<S['body']>;
  caller: S['auth'] extends 'required' ? Caller : Caller | undefined;
  em: EntityManager;
  ctx: AppContext;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  spec: RouteSpec;
  handle: Middleware<AppState>;
}

interface FieldError {
  in: 'path' | 'query' | 'header' | 'body';
  path: string;
  message: string;
}

/** No request of this API nests anywhere near this deep; deeper input is refused before it is walked. */
const MAX_DEPTH = 32;

type Finding = { problem: 'nul' | 'depth'; path: string[] } | null;

/**
 * Walks a parsed input once, iteratively (a body nested thousands of levels deep cannot overflow
 * the stack or cost quadratic time), looking for a NUL character (PostgreSQL text cannot store
 * one) or absurd nesting.
 */
function inspect(value: unknown): Finding {
  interface Node { value: unknown; key: string; parent: Node | null; depth: number }
  const pathOf = (node: Node): string[] => {
    const path: string[] = [];
    for (let n: Node | null = node; n?.parent; n = n.parent) path.unshift(n.key);
    return path;
  };
  const stack: Node[] = [{ value, key: '', parent: null, depth: 0 }];
  while (stack.length) {
    const node = stack.pop()!;
    if (typeof node.value === 'string') {
      if (node.value.includes('\u0000')) return { problem: 'nul', path: pathOf(node) };
    } else if (node.value && typeof node.value === 'object') {
      if (node.depth >= MAX_DEPTH) return { problem: 'depth', path: pathOf(node) };
      for (const [key, inner] of Object.entries(node.value)) {
        const child = { value: inner, key, parent: node, depth: node.depth + 1 };
        if (key.includes('\u0000')) return { problem: 'nul', path: pathOf(child) };
        stack.push(child);
      }
    }
  }
  return null;
}

function check<T extends z.ZodType>(schema: T, value: unknown, where: FieldError['in'], errors: FieldError[]): z.output<T> {
  const finding = inspect(value);
  if (finding) {
    const message = finding.problem === 'nul' ? 'must not contain NUL characters' : `is nested more than ${MAX_DEPTH} levels deep`;
    errors.push({ in: where, path: finding.path.slice(0, MAX_DEPTH).join('.'), message });
    return undefined as z.output<T>;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    errors.push({ in: where, path: issue.path.map(String).join('.'), message: issue.message });
  }
  return undefined as z.output<T>;
}

export function defineRoute<const S extends RouteSpec>(spec: S, handler: (input: RouteInput<S>) => Promise<Reply>): Route {
  // A replica refuses writes, and a lagging read must never decide anything: reads only.
  if (spec.reads === 'replica' && spec.method !== 'get') throw new Error(`${spec.operationId}: only a GET route may read from the replica`);
  const handle: Middleware<AppState> = async (ctx) => {
    if (spec.auth === 'required' && !ctx.state.caller) {
      throw unauthorized('authentication-required', 'Send an access token as "Authorization: Bearer <token>".');
    }
    // Only what the body parser reads as JSON: any other type would arrive here as an empty body.
    // A chunked body has no length but is a body all the same.
    const hasBody = Boolean(ctx.request.length || ctx.get('Transfer-Encoding'));
    if (spec.body && hasBody && ctx.request.is('application/json') === false) {
      throw Object.assign(new Error('Send the body as application/json.'), { status: 415, expose: true });
    }
    const errors: FieldError[] = [];
    const params = spec.params ? check(spec.params, ctx.params, 'path', errors) : undefined;
    const query = spec.query ? check(spec.query, ctx.query, 'query', errors) : undefined;
    const headers = spec.headers ? check(spec.headers, ctx.headers, 'header', errors) : undefined;
    const body = spec.body ? check(spec.body, (ctx.request as { body?: unknown }).body, 'body', errors) : undefined;
    if (errors.length) {
      throw new DomainError('invalid', 'validation-failed', 'The request does not match the schema.', { errors });
    }
    const reply = await handler({
      params,
      query,
      headers,
      body,
      caller: ctx.state.caller,
      em: spec.reads === 'replica' ? ctx.state.readEm : ctx.state.em,
      ctx,
    } as RouteInput<S>);
    ctx.status = reply.status;
    for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
    if (reply.body !== undefined) {
      // Responses pass through their schema: fields not declared there (a hash, a phone number
      // meant for its owner only) are dropped even if a mapper forgets them.
      const response = spec.responses[reply.status];
      const schema = response?.contentType ? undefined : response?.schema;
      ctx.body = schema ? schema.parse(reply.body) : reply.body;
    }
  };
  return { spec, handle };
}
