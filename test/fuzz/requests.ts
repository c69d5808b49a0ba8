import { gzipSync } from 'node:zlib';
import jwt from 'jsonwebtoken';
import { conforms, conformsAsText, type OpenApiDocument } from './json-schema.ts';
import type { Operation } from './operations.ts';
import type { RawRequest } from './raw-http.ts';

/**
 * A generated request is a recipe: small, printable data (fast-check shows it as the
 * counterexample), turned into bytes by `materialize` and judged against the published contract by
 * `judge`. Long strings and deep nesting stay markers in the recipe so a counterexample stays short.
 */
export type AuthRecipe = { as: 'anonymous' | 'caller' | 'owner' } | { bad: BadAuth; text?: string };

export const BAD_AUTH = [
  'garbage', 'alg-none', 'alg-none-no-signature', 'wrong-secret', 'expired', 'unknown-user', 'tampered-payload', 'tampered-signature',
  'hs512', 'other-audience', 'other-issuer', 'no-subject', 'no-expiry', 'subject-not-uuid', 'unknown-role', 'basic', 'scheme-only', 'token-without-scheme', 'token-scheme',
  'double-space', 'trailing-junk', 'quoted', 'two-tokens', 'latin1', 'long', 'null', 'percent-encoded', 'negotiate',
  // Not wrong by RFC 9110 (schemes are case-insensitive) or no token at all: judged as such.
  'lowercase-scheme', 'empty',
] as const;
export type BadAuth = (typeof BAD_AUTH)[number];

export interface BodyRecipe {
  /** JSON with markers: {$raw: text}, {$repeat: text, times}, {$nest: '[' | '{', depth}. */
  json?: unknown;
  text?: string;
  hex?: string;
  /** undefined: application/json; null: no Content-Type at all. */
  contentType?: string | null;
  contentEncoding?: string;
  /** With a Content-Encoding: send the bytes as they are, or a gzip cut short. */
  encodeAs?: 'plain' | 'truncated-gzip';
  chunked?: boolean;
}

export interface Recipe {
  auth: AuthRecipe;
  /** Raw (already percent-encoded) path segments by parameter name. */
  path: Record<string, string>;
  /** Raw query pairs; a null value is a name without `=`. */
  query: [string, string | null][];
  headers: [string, string][];
  body?: BodyRecipe;
}

export interface Fixtures {
  ids: string[];
  callerId: string;
  ownerId: string;
  tokens: { caller: string; owner: string };
  jwt: { secret: string; issuer: string; audience: string };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const RANDOM_ID = '0190a0b0-0000-7000-8000-00000000f022';

function badAuthorization(kind: BadAuth, text: string | undefined, fx: Fixtures): string {
  const token = fx.tokens.caller;
  const [head, payload, signature] = token.split('.') as [string, string, string];
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: fx.callerId, role: 'admin', iss: fx.jwt.issuer, aud: fx.jwt.audience, iat: now, exp: now + 3600 };
  const signed = (extra: Record<string, unknown>, options: jwt.SignOptions = {}, secret = fx.jwt.secret) =>
    jwt.sign({ role: 'user', ...extra }, secret, { algorithm: 'HS256', issuer: fx.jwt.issuer, audience: fx.jwt.audience, ...options });
  switch (kind) {
    case 'garbage': return `Bearer ${text || 'x'}`;
    case 'alg-none': return `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
    case 'alg-none-no-signature': return `Bearer ${b64url({ alg: 'none' })}.${b64url(claims)}`;
    case 'wrong-secret': return `Bearer ${signed({}, { subject: fx.callerId, expiresIn: 600 }, 'not-the-secret-but-long-enough-to-look-real')}`;
    case 'expired': return `Bearer ${signed({ exp: now - 60, iat: now - 3600 }, { subject: fx.callerId })}`;
    case 'unknown-user': return `Bearer ${signed({}, { subject: RANDOM_ID, expiresIn: 600 })}`;
    case 'tampered-payload': return `Bearer ${head}.${b64url({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' })}.${signature}`;
    case 'tampered-signature': return `Bearer ${head}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    case 'hs512': return `Bearer ${signed({}, { subject: fx.callerId, expiresIn: 600, algorithm: 'HS512' })}`;
    case 'other-audience': return `Bearer ${signed({}, { subject: fx.callerId, expiresIn: 600, audience: 'someone-else' })}`;
    case 'other-issuer': return `Bearer ${signed({}, { subject: fx.callerId, expiresIn: 600, issuer: 'someone-else' })}`;
    case 'no-subject': return `Bearer ${signed({}, { expiresIn: 600 })}`;
    case 'no-expiry': return `Bearer ${signed({}, { subject: fx.callerId })}`;
    case 'subject-not-uuid': return `Bearer ${signed({}, { subject: text || 'not-a-uuid', expiresIn: 600 })}`;
    case 'unknown-role': return `Bearer ${signed({ role: 'superuser' }, { subject: fx.callerId, expiresIn: 600 })}`;
    case 'basic': return `Basic ${Buffer.from(`${text ?? 'admin'}:password`).toString('base64')}`;
    case 'scheme-only': return 'Bearer';
    case 'token-without-scheme': return token;
    case 'token-scheme': return `Token ${token}`;
    case 'double-space': return `Bearer  ${token}`;
    // Node trims a header value, so junk that is only whitespace would not be junk.
    case 'trailing-junk': return `Bearer ${token} ${text?.trim() || 'x'}`;
    case 'quoted': return `Bearer "${token}"`;
    case 'two-tokens': return `Bearer ${token}, Bearer ${fx.tokens.owner}`;
    case 'latin1': return `Bearer ${token}\u00e9`;
    case 'long': return `Bearer ${'a'.repeat(12_000)}`;
    case 'null': return 'Bearer null';
    case 'percent-encoded': return `Bearer ${token.replaceAll('.', '%2E')}`;
    case 'negotiate': return 'Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag';
    case 'lowercase-scheme': return `bearer ${token}`;
    case 'empty': return '';
  }
}

/** Only what a header may carry (node refuses the rest before sending). */
export const headerSafe = (value: string) => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

function utf8Bytes(codePoint: number): number[] {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 63)];
  if (codePoint < 0x10000) return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 63), 0x80 | (codePoint & 63)];
  return [0xf0 | (codePoint >> 18), 0x80 | ((codePoint >> 12) & 63), 0x80 | ((codePoint >> 6) & 63), 0x80 | (codePoint & 63)];
}

/** Like encodeURIComponent, but a lone surrogate becomes its (invalid) UTF-8 bytes instead of a throw. */
export function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (/[A-Za-z0-9\-_.~]/.test(char)) {
      out += char;
      continue;
    }
    let codePoint = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (codePoint >= 0xd800 && codePoint <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    out += utf8Bytes(codePoint).map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

const marker = (value: unknown, key: string): value is Record<string, any> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length >= 1 && Object.keys(value)[0] === key;

/** JSON text of a recipe value; markers become raw tokens, long strings or deep nesting. */
export function serialize(value: unknown): string {
  if (marker(value, '$raw')) return String(value.$raw);
  if (marker(value, '$repeat')) return JSON.stringify(String(value.$repeat).repeat(value.times));
  if (marker(value, '$nest')) return value.$nest === '[' ? '['.repeat(value.depth) + ']'.repeat(value.depth) : '{"a":'.repeat(value.depth) + '0' + '}'.repeat(value.depth);
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).map((key) => `${JSON.stringify(key)}:${serialize((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function bodyBytes(body: BodyRecipe): Buffer {
  if (body.hex !== undefined) return Buffer.from(body.hex, 'hex');
  if (body.text !== undefined) return Buffer.from(body.text, 'utf8');
  return Buffer.from(serialize(body.json), 'utf8');
}

export function materialize(op: Operation, recipe: Recipe, fx: Fixtures): RawRequest {
  let target = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => recipe.path[name] ?? RANDOM_ID);
  if (recipe.query.length) target += `?${recipe.query.map(([name, value]) => (value === null ? name : `${name}=${value}`)).join('&')}`;
  const headers: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const existing = headers[name];
    const safe = headerSafe(value);
    headers[name] = existing === undefined ? safe : [existing, safe].flat();
  };
  if ('as' in recipe.auth) {
    if (recipe.auth.as !== 'anonymous') add('authorization', `Bearer ${fx.tokens[recipe.auth.as]}`);
  } else {
    add('authorization', badAuthorization(recipe.auth.bad, recipe.auth.text, fx));
  }
  for (const [name, value] of recipe.headers) add(name.toLowerCase(), value);
  const request: RawRequest = { method: op.method, target, headers };
  if (op.body && recipe.body) {
    const body = recipe.body;
    let bytes = bodyBytes(body);
    if (body.contentType !== null) headers['content-type'] = headerSafe(body.contentType ?? 'application/json');
    if (body.contentEncoding !== undefined) {
      headers['content-encoding'] = body.contentEncoding;
      if (body.encodeAs === 'truncated-gzip') bytes = gzipSync(bytes).subarray(0, 12);
    }
    request.body = bytes;
    if (body.chunked) request.chunked = true;
  }
  return request;
}

const safeDecode = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** Node trims a header's surrounding whitespace and joins repeats of a custom header with ", ". */
function headerValues(request: RawRequest, name: string): string[] {
  const value = request.headers[name];
  if (value === undefined) return [];
  return [[value].flat().map((v) => v.replace(/^[\t ]+|[\t ]+$/g, '')).join(', ')];
}

/** application/json; parameters other than a charset mean nothing to it, and the charset must be UTF-8. */
const isJsonType = (type: string) => {
  const [essence, ...params] = type.split(';');
  if (essence!.trim().toLowerCase() !== 'application/json') return false;
  return params.every((param) => {
    const [name, value] = param.split('=');
    return name!.trim().toLowerCase() !== 'charset' || /^"?utf-8"?$/i.test((value ?? '').trim());
  });
};

/**
 * Why the published contract refuses this request; empty when it accepts it (the server may still
 * refuse it on business grounds, which is fine). A request this finds something wrong with must
 * never get a 2xx.
 */
export function judge(doc: OpenApiDocument, op: Operation, recipe: Recipe, request: RawRequest): string[] {
  const reasons: string[] = [];
  const auth = recipe.auth;
  const anonymous = ('as' in auth && auth.as === 'anonymous') || ('bad' in auth && auth.bad === 'empty');
  if (anonymous) {
    if (op.auth === 'required') reasons.push('auth: none sent to a route that requires it');
  } else if ('bad' in auth && auth.bad !== 'lowercase-scheme') {
    reasons.push(`auth: ${auth.bad}`);
  }
  for (const param of op.params) {
    if (param.in === 'path') {
      const raw = recipe.path[param.name] ?? RANDOM_ID;
      if (!conformsAsText(doc, param.schema, [safeDecode(raw)], true)) reasons.push(`path ${param.name}: ${JSON.stringify(raw.slice(0, 80))}`);
    }
  }
  const query = new URLSearchParams(request.target.includes('?') ? request.target.slice(request.target.indexOf('?') + 1) : '');
  for (const param of op.params) {
    if (param.in === 'query' && !conformsAsText(doc, param.schema, query.getAll(param.name), param.required)) {
      reasons.push(`query ${param.name}: ${JSON.stringify(query.getAll(param.name).map((v) => v.slice(0, 80)))}`);
    }
    if (param.in === 'header' && !conformsAsText(doc, param.schema, headerValues(request, param.name), param.required)) {
      reasons.push(`header ${param.name}: ${JSON.stringify(headerValues(request, param.name).map((v) => v.slice(0, 80)))}`);
    }
  }
  if (op.body) {
    const body = recipe.body;
    const type = request.headers['content-type'];
    if (!body || !request.body?.length) reasons.push('body: none');
    else if (typeof type !== 'string' || !isJsonType(type)) reasons.push(`body: content-type ${JSON.stringify(type ?? null)}`);
    else if (body.contentEncoding !== undefined) reasons.push(`body: content-encoding ${JSON.stringify(body.contentEncoding)} over bytes that are not`);
    else {
      // The server reads UTF-8 (a BOM dropped, bad bytes replaced) and, strictly, only objects and arrays.
      const text = new TextDecoder('utf-8').decode(request.body);
      let value: unknown;
      let parsed = /^[\t\n\r ]*[{[]/.test(text);
      if (parsed) {
        try {
          value = JSON.parse(text);
        } catch {
          parsed = false;
        }
      }
      if (!parsed) reasons.push('body: not a JSON object or array');
      else if (!conforms(doc, op.body, value)) reasons.push('body: does not match the schema');
    }
  }
  return reasons;
}

/** The id a write names in its path, decoded, for the before/after of that row. */
export function targetIdOf(op: Operation, recipe: Recipe): string | undefined {
  const param = op.params.find((p) => p.in === 'path');
  return param ? safeDecode(recipe.path[param.name] ?? '') : undefined;
}
