import fc from 'fast-check';
import { isObject, regexOf, resolve, slotsOf, typesOf, validValue, type OpenApiDocument, type Schema, type Slot } from './json-schema.ts';
import type { Operation, Parameter } from './operations.ts';
import { BAD_AUTH, percentEncode, serialize, type AuthRecipe, type BodyRecipe, type Fixtures, type Recipe } from './requests.ts';

/** Which part of a request a test makes hostile; the other parts are well-formed. */
export type Dimension = 'auth' | 'path' | 'query' | 'header' | 'body' | 'content-type';

export function dimensionsOf(op: Operation): Dimension[] {
  const dims: Dimension[] = ['auth'];
  if (op.params.some((p) => p.in === 'path')) dims.push('path');
  if (op.params.some((p) => p.in === 'query')) dims.push('query');
  if (op.params.some((p) => p.in === 'header')) dims.push('header');
  if (op.body) dims.push('body', 'content-type');
  return dims;
}

const raw = (text: string) => ({ $raw: text });
const repeat = (text: string, times: number) => ({ $repeat: text, times });
const nest = (kind: '[' | '{', depth: number) => ({ $nest: kind, depth });

/** Within the 100 kB body limit, deep enough to exhaust any recursive walk of the parsed value. */
const DEEP = [nest('[', 45_000), nest('{', 18_000), nest('[', 5_000), nest('[', 500)];

const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, [], [1], ['a'], {}, { a: 1 }, { $gt: '' }, { $ne: null }, '', '1000', 'null', 'true'];

const RAW_NUMBERS = ['1e400', '-1e400', '-0', '1e-400', '9007199254740993', '1' + '0'.repeat(400), `0.${'0'.repeat(400)}1`, '1.0', '1E3', '-0.0', '10e-1', '123456789012345678901234567890'].map(raw);

const ODD_STRINGS = [
  '', ' ', '\t', '\u0000', 'a\u0000b', '\ud800', 'a\udfffb', '\udc00\ud800', '\u202eabc', '\ufeff', '\u200b', '𝕏', '\uffff', '\ufffe', '\u0085', '\r\n', 'e\u0301',
  '\u2028', '👩‍👩‍👧‍👦', "' OR '1'='1", '"; DROP TABLE users; --', "'); select pg_sleep(10); --", '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '../../etc/passwd',
  '%00', '%s%s%s%n', 'null', 'undefined', 'NaN', 'Infinity', '-1', '0x10', '1e3', '__proto__', 'constructor',
];

const SOME_UUID = '0190a0b0-0000-7000-8000-000000000000';
const BAD_UUIDS = [
  'not-a-uuid', '0', '1', '-1', SOME_UUID.slice(0, -1), `${SOME_UUID}0`, SOME_UUID.replaceAll('-', ''), `{${SOME_UUID}}`, `urn:uuid:${SOME_UUID}`,
  '0190a0b0-0000-9000-8000-000000000000', '0190a0b0-0000-7000-c000-000000000000', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000g',
  ` ${SOME_UUID}`, `${SOME_UUID} `, `${SOME_UUID}\u0000`, `${SOME_UUID}' OR '1'='1`, `${SOME_UUID};DROP TABLE listings`, "1' OR '1'='1", '1; select pg_sleep(10)',
  '0190a0b0\u20130000\u20137000\u20138000\u2013000000000000', 'Ｏ190a0b0-0000-7000-8000-000000000000',
];

const BAD_DATES = [
  '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:60Z', '9999-12-31T23:59:60Z', '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00.001Z', '-000001-01-01T00:00:00Z', '275760-09-13T00:00:01Z', '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z', '1900-01-01T00:00:00Z', '2026-01-01', '2026-01-01T00:00:00', '2026-01-01T00:00:00+25:00', '2026-01-01T00:00:00.1234567890Z',
  '2026-01-01 00:00:00Z', 'tomorrow', '1e12', '1767225600000', '2026-W01', 'P1D',
];

function badStrings(s: Schema): unknown[] {
  const out: unknown[] = [...ODD_STRINGS, repeat('ab', 60_000)];
  if (s.maxLength !== undefined) out.push(repeat('x', s.maxLength + 1), repeat('가', s.maxLength + 1), repeat('😀', s.maxLength + 1), repeat('x', s.maxLength * 10 + 1));
  if (s.minLength) out.push('x'.repeat(s.minLength - 1));
  if (s.format === 'uuid') out.push(...BAD_UUIDS);
  if (s.format === 'date-time') out.push(...BAD_DATES);
  if (Array.isArray(s.enum)) out.push(...badEnum(s.enum));
  return out;
}

function badEnum(options: unknown[]): string[] {
  const first = String(options[0] ?? 'x');
  return ['', first.toUpperCase(), `${first} `, ` ${first}`, `${first}\u0000`, options.join(','), `${first}s`, 'deleted', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];
}

function badNumbers(s: Schema): unknown[] {
  const out: unknown[] = [0.5, 1.5, -0.0001, -1, 1e21, -1e21, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 2 ** 64, Number.MAX_VALUE, Number.MIN_VALUE, ...RAW_NUMBERS];
  if (typeof s.minimum === 'number') out.push(s.minimum - 1, s.minimum - 0.5, String(s.minimum));
  if (typeof s.maximum === 'number') out.push(s.maximum + 1, s.maximum + 0.5, String(s.maximum));
  out.push('1000', '1e3', '0x10', ' 1', 'NaN', 'Infinity', '-0');
  return out;
}

/** A value meant to break `schema`: wrong type, out of range, malformed, huge or deeply nested. */
export function hostileValue(doc: OpenApiDocument, schema: Schema, context: { ids: string[] }): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  const types = typesOf(s);
  const choices: fc.WeightedArbitrary<unknown>[] = [
    { weight: 2, arbitrary: fc.constantFrom(...WRONG_TYPES) },
    { weight: 1, arbitrary: fc.constantFrom(...DEEP) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.integer(), fc.double(), fc.boolean()) },
  ];
  if (types.includes('string') || s.enum) {
    choices.push({ weight: 5, arbitrary: fc.constantFrom(...badStrings(s)) });
    if (typeof s.pattern === 'string') {
      // Picked from a fixed list rather than filtered: random text rarely breaks a loose pattern such as "no NUL".
      const misfits = [...ODD_STRINGS, ...BAD_UUIDS, 'x', 'abc', '+', '1 2', '1.5', '-1', '0x10', '1e3', '+0', '+8210', `+${'1'.repeat(20)}`].filter((text) => !regexOf(s.pattern).test(text));
      if (misfits.length) choices.push({ weight: 2, arbitrary: fc.constantFrom(...misfits) });
    }
  }
  if (types.includes('integer') || types.includes('number')) choices.push({ weight: 5, arbitrary: fc.constantFrom(...badNumbers(s)) });
  if (types.includes('array')) {
    const item = validValue(doc, s.items ?? {}, context);
    const tooMany = (s.maxItems ?? 50) + 1;
    choices.push({
      weight: 4,
      arbitrary: fc.oneof(
        fc.array(item, { minLength: tooMany, maxLength: tooMany + 2 }),
        fc.constantFrom([null], [[]], [{}], [1], [nest('[', 45_000)], [repeat('x', 3000)], 'https://example.com/a.jpg', { 0: 'x' }),
        hostileValue(doc, s.items ?? {}, context).map((bad) => [bad]),
      ),
    });
  }
  if (types.includes('object') || s.properties) choices.push({ weight: 2, arbitrary: fc.constantFrom({}, [], 'object', 1, [{}]) });
  return fc.oneof(...choices);
}

/** Members a client must not be able to set, with values that would matter if they were taken. */
function forbiddenMembers(fx: { ids: string[] }): [string, unknown][] {
  const someone = fx.ids[0] ?? SOME_UUID;
  return [
    ['sellerId', someone], ['seller_id', someone], ['userId', someone], ['bidderId', someone], ['leaderId', someone], ['buyerId', someone], ['id', someone],
    ['role', 'admin'], ['isAdmin', true], ['admin', true], ['currentPrice', 1], ['status', 'sold'], ['outcome', 'sold'], ['bidCount', 999], ['likeCount', 999],
    ['price', 1], ['auctionId', someone], ['createdAt', '2000-01-01T00:00:00Z'], ['passwordHash', 'x'], ['password_hash', 'x'], ['tokenType', 'Admin'],
    ['__proto__', { role: 'admin', isAdmin: true }], ['constructor', { prototype: { role: 'admin' } }], ['prototype', { role: 'admin' }],
    ['toString', 'x'], ['hasOwnProperty', 1], ['valueOf', 1], ['', 1], ['\u0000', 1], ['a'.repeat(5000), 1],
  ];
}

/** Own property, even for `__proto__`. */
function setOwn(target: object, key: string | number, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(copy, key, clone(value[key]));
    return copy;
  }
  return value;
}

/** `base` with `value` at `path`, creating what is missing on the way. */
export function setAt(base: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const root = clone(base);
  const top: any = isObject(root) || Array.isArray(root) ? root : typeof path[0] === 'number' ? [] : {};
  let node: any = top;
  path.forEach((key, i) => {
    if (i === path.length - 1) return setOwn(node, key, value);
    const next = node[key];
    if (!(isObject(next) || Array.isArray(next))) setOwn(node, key, typeof path[i + 1] === 'number' ? [] : {});
    node = node[key];
  });
  return top;
}

function withoutAt(base: unknown, path: (string | number)[], key: string): unknown {
  const root = clone(base);
  let node: any = root;
  for (const step of path) node = node !== null && typeof node === 'object' ? node[step] : undefined;
  if (isObject(node)) delete node[key];
  return root;
}

/** Text that is not JSON, not an object, or JSON that smuggles something; built around a valid body. */
function hostileTexts(valid: string): string[] {
  const open = valid.startsWith('{') && valid.length > 2 ? `${valid.slice(0, -1)},` : '{';
  const firstKey = /^\{"((?:[^"\\]|\\.)*)"/.exec(valid)?.[1] ?? 'a';
  return [
    '', ' ', '\n', 'null', '0', '-1', '1e400', '"text"', 'true', '[]', `[${valid}]`, '[[[]]]', '{', '}', '[', valid.slice(0, -1), `${valid}}`, `${valid},`,
    `${open}}`, "{'a':1}", '{a:1}', '{"a":NaN}', '{"a":Infinity}', '{"a":undefined}', '{"a":01}', '{"a":.5}', '{"a":+1}', '{"a":0x10}', `${valid}${valid}`,
    `/*x*/${valid}`, `${valid}//x`, '\u0000', '{"a":"\u0000"}', '{"a":"\u0001\u001f"}', '{"a":"\\uZZZZ"}', '{"a":"\\x41"}', '{"a":"\\ud800"}', 'ｎｕｌｌ',
    `${open}"${firstKey}":{"$gt":""}}`, `${open}"${firstKey}":null}`, '{"__proto__":{"role":"admin"}}', `${open}"__proto__":{"role":"admin","isAdmin":true}}`,
    `${open}"constructor":{"prototype":{"role":"admin"}}}`, `\ufeff${valid}`, `\ufeff\ufeff${valid}`, `\n\t ${valid} \n`, '[1,2', '{"a":[1,2}', '{"a" 1}',
    '{"a":1 "b":2}', `${'['.repeat(45_000)}`, `${'{"a":'.repeat(18_000)}1`, 'phone=%2B821012345678&password=x', '<xml/>',
  ];
}

/** Bytes that are not UTF-8, or UTF-8 for something else. */
function hostileBytes(valid: string): string[] {
  const text = Buffer.from(valid);
  const at = Math.max(valid.indexOf('":"') + 3, 1);
  const inside = (bytes: number[]) => Buffer.concat([text.subarray(0, at), Buffer.from(bytes), text.subarray(at)]).toString('hex');
  return [
    inside([0xff, 0xfe]), inside([0xc0, 0x80]), inside([0xed, 0xa0, 0x80]), inside([0xf4, 0x90, 0x80, 0x80]), inside([0x80]), inside([0xe2, 0x82]),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid, 'utf16le')]).toString('hex'), Buffer.from(valid, 'utf16le').toString('hex'),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]).toString('hex'), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]).toString('hex'),
  ];
}

export function hostileBody(doc: OpenApiDocument, schema: Schema, fx: Fixtures): fc.Arbitrary<BodyRecipe> {
  const base = validValue(doc, schema, fx);
  const slots = slotsOf(doc, schema);
  const objectSlots = slots.filter((slot) => typesOf(slot.schema).includes('object') || slot.schema.properties);
  const withRequired = objectSlots.filter((slot) => Array.isArray(slot.schema.required) && slot.schema.required.length);
  const inner = slots.filter((slot) => slot.path.length > 0);
  const options: fc.WeightedArbitrary<BodyRecipe>[] = [
    {
      weight: 6,
      arbitrary: fc
        .tuple(base, fc.constantFrom(...(inner.length ? inner : slots)))
        .chain(([valid, slot]: [unknown, Slot]) => hostileValue(doc, slot.schema, fx).map((bad) => ({ json: setAt(valid, slot.path, bad) }))),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(base, fc.constantFrom(...(objectSlots.length ? objectSlots : slots)), fc.constantFrom(...forbiddenMembers(fx)))
        .map(([valid, slot, [key, value]]) => ({ json: setAt(valid, [...slot.path, key], value) })),
    },
    { weight: 2, arbitrary: fc.tuple(base, fc.nat()).chain(([valid]) => fc.constantFrom(...hostileTexts(serialize(valid)))).map((text) => ({ text })) },
    { weight: 1, arbitrary: base.chain((valid) => fc.constantFrom(...hostileBytes(serialize(valid)))).map((hex) => ({ hex })) },
    { weight: 1, arbitrary: fc.constantFrom(...WRONG_TYPES, ...DEEP, repeat('x', 120_000), [repeat('x', 120_000)]).map((json) => ({ json })) },
  ];
  if (withRequired.length) {
    options.push({
      weight: 2,
      arbitrary: fc
        .tuple(base, fc.constantFrom(...withRequired))
        .chain(([valid, slot]) => fc.constantFrom(...(slot.schema.required as string[])).map((key) => ({ json: withoutAt(valid, slot.path, key) }))),
    });
  }
  return fc.oneof(...options);
}

const BAD_CONTENT_TYPES = [
  'text/plain', 'text/json', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/merge-patch+json',
  'application/json-patch+json', 'application/vnd.api+json', 'application/javascript', 'application/jsonx', 'application/x-json', 'application', 'json', '*/*',
  'application/*', ';;;', 'application/json/x', 'image/png', 'application/octet-stream', 'application/problem+json', 'app/json', '', 'application/json;',
  'application/json; boundary=--', 'application/ json', 'application/json\u00e9', 'application\\json',
];

export function hostileContentType(doc: OpenApiDocument, schema: Schema, fx: Fixtures): fc.Arbitrary<BodyRecipe> {
  const body = fc.oneof({ weight: 3, arbitrary: validValue(doc, schema, fx).map((json) => ({ json })) }, { weight: 1, arbitrary: hostileBody(doc, schema, fx) });
  return fc.oneof(
    fc.tuple(body, fc.constantFrom(...BAD_CONTENT_TYPES), fc.boolean()).map(([b, contentType, chunked]) => ({ ...b, contentType, chunked })),
    fc.tuple(body, fc.boolean()).map(([b, chunked]) => ({ ...b, contentType: null, chunked })),
    fc
      .tuple(body, fc.constantFrom('gzip', 'deflate', 'br', 'x-gzip', 'compress', 'zstd', 'xyz', 'gzip, gzip', 'gzip, br'), fc.constantFrom('plain' as const, 'truncated-gzip' as const))
      .map(([b, contentEncoding, encodeAs]) => ({ ...b, contentEncoding, encodeAs })),
  );
}

const RAW_SEGMENTS = [
  'not-a-uuid', '1', '0', '-1', '1.5', 'null', 'undefined', 'NaN', 'true', '..', '.', '%2e%2e', '%2E', '..%2F..%2Fhealth%2Flive', '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2F', '%5C..%5C', '%00', `${SOME_UUID}%00`, '%ZZ', '%E0%A4%A', '%', '%%', '%C0%AE%C0%AE', '%C0%80', '%FF', '%ED%A0%80', "1'%20OR%20'1'%3D'1",
  '1%3BDROP%20TABLE%20users--', "'%3B%20select%20pg_sleep(10)--", "'", '(select%201)', '__proto__', 'constructor', 'prototype', 'toString', '~', '*', '$',
  '%7B%7D', '%5B%5D', `${SOME_UUID}%2F..`, `${SOME_UUID}%20`, `%20${SOME_UUID}`, `${SOME_UUID}.json`, `${SOME_UUID};x`, `${SOME_UUID}~`, 'a'.repeat(300), 'a'.repeat(8000),
  '%F0%9F%92%A9', '%ED%95%9C%EA%B8%80', '%EF%BB%BF', ...BAD_UUIDS.map(percentEncode),
];

export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(percentEncode) },
  { weight: 1, arbitrary: fc.uuid().map((id) => percentEncode(id.toUpperCase().replace(/-/g, ''))) },
);

function badQueryValues(doc: OpenApiDocument, param: Parameter): fc.Arbitrary<string> {
  const s = resolve(doc, param.schema);
  const types = typesOf(s);
  const values: string[] = ['', '%20', '+', '%00', '%ZZ', '%', '%E0%A4%A', '%C0%80', '%FF', '%ED%A0%80', percentEncode('\u0000'), 'null', 'undefined', '[]', '{}'];
  if (types.includes('integer') || types.includes('number')) {
    values.push('abc', '-1', '0', '1.5', '1e3', '1e1', '2e1', '0x10', '0X1f', '0b11', '0o7', '%205', '5%20', '%2B5', 'NaN', 'Infinity', '-Infinity', '99999999999999999999',
      '1'.repeat(400), '%D9%A3', '%EF%BC%95', '5%00', '5,6', '%5B5%5D', 'true', '1_000', '1.', '.5', '0.0001', '-0', '5abc');
    if (typeof s.minimum === 'number') values.push(String(s.minimum - 1));
    if (typeof s.maximum === 'number') values.push(String(s.maximum + 1), String(s.maximum * 1000));
  }
  if (Array.isArray(s.enum)) values.push(...badEnum(s.enum).map(percentEncode));
  if (s.format === 'uuid') values.push(...BAD_UUIDS.map(percentEncode));
  if (typeof s.pattern === 'string') values.push('abc', '-1', '1.5', '1e3', '0x10', '%205', '5%20', '%2B5', '99999999999999999999');
  if (typeof s.maxLength === 'number') values.push('x'.repeat(s.maxLength + 1), percentEncode('가'.repeat(s.maxLength + 1)));
  values.push(...FORGED_CURSORS);
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...values) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(percentEncode) },
  );
}

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Cursors no list handed out: wrong shapes, impossible dates, values PostgreSQL would refuse. */
const FORGED_CURSORS = [
  cursorOf([]), cursorOf([1]), cursorOf(['2026-02-30T00:00:00Z', SOME_UUID]), cursorOf(['0000-01-01T00:00:00Z', SOME_UUID]), cursorOf(['+275760-09-13T00:00:00Z', SOME_UUID]),
  cursorOf(['2026-01-01T00:00:00Z', "' OR 1=1 --"]), cursorOf(['2026-01-01T00:00:00Z', SOME_UUID, 'extra']), cursorOf([null, null]), cursorOf([{}, []]), cursorOf('text'),
  cursorOf({ id: SOME_UUID }), cursorOf([2 ** 63, SOME_UUID]), cursorOf([-1, '2026-01-01T00:00:00Z', SOME_UUID]), cursorOf([1e308, '2026-01-01T00:00:00Z', SOME_UUID]),
  cursorOf(['9999-12-31T23:59:59.999999Z', 'ffffffff-ffff-ffff-ffff-ffffffffffff']), cursorOf(['2026-01-01T00:00:00.1234567Z', SOME_UUID]), '!!!!', '====', 'bm9wZQ', 'e30',
  'W10', Buffer.from('[1,').toString('base64url'), Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url'), 'a'.repeat(513), `${cursorOf([1])}%00`,
];

export function hostileQuery(doc: OpenApiDocument, op: Operation, fx: Fixtures): fc.Arbitrary<[string, string | null][]> {
  const params = op.params.filter((p) => p.in === 'query');
  const valid = validQuery(doc, op, fx);
  const param = fc.constantFrom(...params);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(valid, param).chain(([pairs, p]) => badQueryValues(doc, p).map((value) => [...pairs.filter(([name]) => name !== p.name), [p.name, value]] as [string, string | null][])),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, param)
        .chain(([pairs, p]) => {
          const valid = validValue(doc, p.schema, fx).map((value) => percentEncode(String(value)));
          return fc.tuple(valid, fc.oneof(valid, badQueryValues(doc, p))).map(([a, b]) => [...pairs, [p.name, a], [p.name, b]] as [string, string | null][]);
        }),
    },
    { weight: 1, arbitrary: fc.tuple(valid, param).map(([pairs, p]) => [...pairs.filter(([name]) => name !== p.name), [p.name, null]] as [string, string | null][]) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, param, fc.constantFrom('%ZZ', '%00', '%', '[]', '%5B%5D', '.x', '%20', '%2B'))
        .map(([pairs, p, garble]) => [...pairs.filter(([name]) => name !== p.name), [`${p.name}${garble}`, '1'], [p.name, '%FF%FE']] as [string, string | null][]),
    },
  );
}

export function validQuery(doc: OpenApiDocument, op: Operation, fx: Fixtures): fc.Arbitrary<[string, string | null][]> {
  const params = op.params.filter((p) => p.in === 'query');
  const noise = fc.constantFrom<[string, string | null][]>([], [], [], [['__proto__', 'x']], [['constructor', '1']], [['unknown', '%ZZ']], [['a', null]]);
  return fc
    .tuple(
      fc.tuple(...params.map((p) => (p.required ? validValue(doc, p.schema, fx) : fc.option(validValue(doc, p.schema, fx), { nil: undefined, freq: 3 })))),
      noise,
    )
    .map(([values, extra]) => [
      ...params.flatMap((p, i): [string, string | null][] => (values[i] === undefined ? [] : [[p.name, percentEncode(String(values[i]))]])),
      ...extra,
    ]);
}

const BAD_HEADER_VALUES = [
  '', ' ', '\t', 'a b', 'x'.repeat(256), 'x'.repeat(8000), '\u00e9', '\u00ff\u00fe', '-1', '1.5', '1e3', '0x1', '+1', '1'.repeat(16), '9'.repeat(40), 'abc', 'null',
  "' OR '1'='1", '%00', '1,2', '1, 2', '\u00a0', '\u007f',
];

export function hostileHeaders(doc: OpenApiDocument, op: Operation, fx: Fixtures): fc.Arbitrary<[string, string][]> {
  const params = op.params.filter((p) => p.in === 'header');
  return fc.tuple(validHeaders(doc, op, fx), fc.constantFrom(...params)).chain(([pairs, p]) => {
    const others = pairs.filter(([name]) => name !== p.name);
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...BAD_HEADER_VALUES).map((value) => [...others, [p.name, value]] as [string, string][]) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map((value) => [...others, [p.name, value]] as [string, string][]) },
      {
        weight: 2,
        arbitrary: fc.tuple(validValue(doc, p.schema, fx), validValue(doc, p.schema, fx)).map(([a, b]) => [...others, [p.name, String(a)], [p.name, String(b)]] as [string, string][]),
      },
    );
  });
}

export function validHeaders(doc: OpenApiDocument, op: Operation, fx: Fixtures): fc.Arbitrary<[string, string][]> {
  const params = op.params.filter((p) => p.in === 'header');
  return fc
    .tuple(...params.map((p) => (p.required ? validValue(doc, p.schema, fx) : fc.option(validValue(doc, p.schema, fx), { nil: undefined }))))
    .map((values) => params.flatMap((p, i): [string, string][] => (values[i] === undefined ? [] : [[p.name, String(values[i])]])));
}

export function hostileAuth(op: Operation): fc.Arbitrary<AuthRecipe> {
  const bad = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...BAD_AUTH).map((kind): AuthRecipe => ({ bad: kind })) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~+/=-]{1,60}$/).map((text): AuthRecipe => ({ bad: 'garbage', text })) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map((text): AuthRecipe => ({ bad: 'trailing-junk', text })) },
  );
  return op.auth === 'required' ? fc.oneof({ weight: 4, arbitrary: bad }, { weight: 1, arbitrary: fc.constant<AuthRecipe>({ as: 'anonymous' }) }) : bad;
}

/** Mostly signed in (so checks behind authentication are reached), sometimes the owner of the fixtures, sometimes nobody. */
export function someCaller(op: Operation): fc.Arbitrary<AuthRecipe> {
  const caller: AuthRecipe = { as: 'caller' };
  const owner: AuthRecipe = { as: 'owner' };
  const signedIn = op.auth === 'required' ? [caller, caller, owner, owner] : [caller, owner];
  return fc.constantFrom<AuthRecipe>(...signedIn, { as: 'anonymous' });
}

export function validPath(op: Operation, fx: Fixtures): fc.Arbitrary<Record<string, string>> {
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const p of op.params) if (p.in === 'path') model[p.name] = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fx.ids) }, { weight: 1, arbitrary: fc.uuid({ version: 7 }) });
  return fc.record(model);
}

export function recipes(doc: OpenApiDocument, op: Operation, dim: Dimension, fx: Fixtures): fc.Arbitrary<Recipe> {
  const pathNames = op.params.filter((p) => p.in === 'path').map((p) => p.name);
  const hostilePath = () => fc.tuple(validPath(op, fx), fc.constantFrom(...pathNames), hostileSegment).map(([path, name, segment]) => ({ ...path, [name]: segment }));
  const validBody = op.body ? validValue(doc, op.body, fx).map((json): BodyRecipe => ({ json })) : fc.constant(undefined);
  return fc.record({
    auth: dim === 'auth' ? hostileAuth(op) : someCaller(op),
    path: dim === 'path' ? hostilePath() : validPath(op, fx),
    query: dim === 'query' ? hostileQuery(doc, op, fx) : validQuery(doc, op, fx),
    headers: dim === 'header' ? hostileHeaders(doc, op, fx) : validHeaders(doc, op, fx),
    body: dim === 'body' && op.body ? hostileBody(doc, op.body, fx) : dim === 'content-type' && op.body ? hostileContentType(doc, op.body, fx) : validBody,
  }) as fc.Arbitrary<Recipe>;
}
