import type { components, paths } from './api-types.ts';
import { session } from './session.ts';

/**
 * A typed fetch over the generated contract (api-types.ts, from /openapi.json): a path, method,
 * parameter or body the document does not have fails `tsc -p web`, and answers are typed as the
 * document says. Problems (application/problem+json) are thrown as ApiError.
 */
export type Schemas = components['schemas'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** The methods a path really has (the others are `?: never` in the generated types). */
export type MethodOf<P extends keyof paths> = { [M in Method]: [paths[P][M]] extends [undefined] ? never : M }[Method];

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;
type Success<O> = O extends { responses: infer R } ? { [S in keyof R]: S extends 200 | 201 | 204 ? Json<R[S]> : never }[keyof R] : never;

type PathPart<O> = O extends { parameters: { path: infer X } } ? { path: X } : { path?: undefined };
type QueryPart<O> = O extends { parameters: { query?: infer X } } ? { query?: X } : { query?: undefined };
type BodyPart<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? { body: B } : { body?: undefined };
export type Call<O> = PathPart<O> & QueryPart<O> & BodyPart<O> & { headers?: Record<string, string> };

export class ApiError extends Error {
  readonly status: number;
  readonly problem: { type?: string; title?: string; detail?: string };
  constructor(status: number, problem: ApiError['problem']) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function urlOf(path: string, call: { path?: unknown; query?: unknown }): string {
  const params = (call.path ?? {}) as Record<string, string>;
  let url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries((call.query ?? {}) as Record<string, unknown>)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  if (query.size > 0) url += `?${query}`;
  return url;
}

async function send(method: string, url: string, body: unknown, headers: Record<string, string>, token: string | null): Promise<Response> {
  const all: Record<string, string> = { accept: 'application/json', ...headers };
  if (body !== undefined) all['content-type'] = 'application/json';
  if (token) all.authorization = `Bearer ${token}`;
  return fetch(url, { method: method.toUpperCase(), headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
}

export async function api<P extends keyof paths, M extends MethodOf<P>>(method: M, path: P, call: Call<Operation<P, M>>): Promise<Success<Operation<P, M>>> {
  const url = urlOf(path, call);
  const token = session.current()?.accessToken ?? null;
  let response = await send(method, url, call.body, call.headers ?? {}, token);
  // An access token lives 15 minutes; the refresh token renews it once, then the call is retried.
  if (response.status === 401 && token && (await session.renew(refresh))) {
    response = await send(method, url, call.body, call.headers ?? {}, session.current()?.accessToken ?? null);
  }
  const text = await response.text();
  const parsed: unknown = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, (parsed ?? {}) as ApiError['problem']);
  return parsed as Success<Operation<P, M>>;
}

async function refresh(refreshToken: string): Promise<Schemas['Session'] | null> {
  const response = await send('post', '/v1/auth/refresh', { refreshToken }, {}, null);
  return response.ok ? ((await response.json()) as Schemas['Session']) : null;
}

/** What to show for a failed call: the problem's own detail when the server gave one. */
export function problemText(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.problem.title ?? `오류 (${error.status})`;
  return '서버에 연결할 수 없습니다.';
}
