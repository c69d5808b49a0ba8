import fc from 'fast-check';

/**
 * Just enough JSON Schema (the subset the published /openapi.json uses) to judge a request the
 * way the contract describes it, and to generate values the contract accepts. The judge is lenient
 * where the contract is vague (date-time offsets, lengths in code points): the fuzzer may call a
 * request valid that the server still refuses, never the other way round.
 */
// The document is JSON from the wire; its schemas are read loosely.
export type Schema = any;
export type OpenApiDocument = any;

export function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  let current = schema;
  for (let hops = 0; current && typeof current === 'object' && typeof current.$ref === 'string' && hops < 20; hops++) {
    current = doc.components?.schemas?.[current.$ref.replace('#/components/schemas/', '')];
  }
  return current ?? {};
}

const patterns = new Map<string, RegExp>();
export const regexOf = (pattern: string): RegExp => {
  let re = patterns.get(pattern);
  if (!re) patterns.set(pattern, (re = new RegExp(pattern)));
  return re;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export const typesOf = (schema: Schema): string[] => (schema.type === undefined ? [] : [schema.type].flat());

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'null': return value === null;
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    default: return true;
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
// A primitive never equals a structure; comparing them by text would stringify (and, for a
// generated body nested 45,000 deep, overflow the stack on) the structure for nothing.
const sameJson = (a: unknown, b: unknown) =>
  (a === null || typeof a !== 'object') !== (b === null || typeof b !== 'object') ? false : a === b || JSON.stringify(a) === JSON.stringify(b);

export function conforms(doc: OpenApiDocument, schema: Schema, value: unknown): boolean {
  const s = resolve(doc, schema);
  if (s === true) return true;
  if (s === false) return false;
  if (Array.isArray(s.allOf) && !s.allOf.every((inner: Schema) => conforms(doc, inner, value))) return false;
  if (Array.isArray(s.anyOf) && !s.anyOf.some((inner: Schema) => conforms(doc, inner, value))) return false;
  if (Array.isArray(s.oneOf) && !s.oneOf.some((inner: Schema) => conforms(doc, inner, value))) return false;
  if (s.not !== undefined && conforms(doc, s.not, value)) return false;
  if ('const' in s && !sameJson(s.const, value)) return false;
  if (Array.isArray(s.enum) && !s.enum.some((option: unknown) => sameJson(option, value))) return false;
  const types = typesOf(s);
  if (types.length && !types.some((type) => hasType(type, value))) return false;
  if (typeof value === 'string') {
    const length = [...value].length;
    if (s.minLength !== undefined && length < s.minLength) return false;
    if (s.maxLength !== undefined && length > s.maxLength) return false;
    if (typeof s.pattern === 'string' && !regexOf(s.pattern).test(value)) return false;
    if (s.format === 'uuid' && !UUID.test(value)) return false;
    if (s.format === 'date-time' && !(DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))) return false;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return false;
    if (s.minimum !== undefined && value < s.minimum) return false;
    if (s.maximum !== undefined && value > s.maximum) return false;
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) return false;
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) return false;
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) return false;
    if (s.maxItems !== undefined && value.length > s.maxItems) return false;
    if (s.items !== undefined && !value.every((item) => conforms(doc, s.items, item))) return false;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (Array.isArray(s.required) && !s.required.every((key: string) => Object.hasOwn(value, key))) return false;
    const properties = s.properties ?? {};
    for (const key of keys) {
      if (Object.hasOwn(properties, key)) {
        if (!conforms(doc, properties[key], value[key])) return false;
      } else if (s.additionalProperties === false) {
        return false;
      } else if (isObject(s.additionalProperties) && !conforms(doc, s.additionalProperties, value[key])) {
        return false;
      }
    }
  }
  return true;
}

/**
 * A path, query or header parameter arrives as text (several times when repeated). Integers are
 * read as decimal digits only: `0x10`, `1e1` or ` 5` are not integers, whatever `Number()` says.
 */
export function conformsAsText(doc: OpenApiDocument, schema: Schema, values: string[], required: boolean): boolean {
  if (values.length === 0) return !required;
  const s = resolve(doc, schema);
  if (values.length > 1) return typesOf(s).includes('array');
  const text = values[0]!;
  const types = typesOf(s);
  const readings: unknown[] = [];
  if (types.length === 0 || types.includes('string')) readings.push(text);
  if (types.includes('integer') && /^[+-]?\d+(\.0+)?$/.test(text)) readings.push(Number(text));
  if (types.includes('number') && /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) readings.push(Number(text));
  if (types.includes('boolean') && (text === 'true' || text === 'false')) readings.push(text === 'true');
  return readings.some((value) => conforms(doc, s, value));
}

/** Places where a value sits inside a body: `[]` is the body itself. */
export interface Slot {
  path: (string | number)[];
  schema: Schema;
}

export function slotsOf(doc: OpenApiDocument, schema: Schema, path: (string | number)[] = [], depth = 0): Slot[] {
  const s = resolve(doc, schema);
  const slots: Slot[] = [{ path, schema: s }];
  if (depth >= 4) return slots;
  for (const [key, inner] of Object.entries<Schema>(s.properties ?? {})) slots.push(...slotsOf(doc, inner, [...path, key], depth + 1));
  if (s.items && typeof s.items === 'object') slots.push(...slotsOf(doc, s.items, [...path, 0], depth + 1));
  return slots;
}

export interface ValueContext {
  /** Ids of rows that exist, so generated ids often hit something. */
  ids: string[];
}

const FAR_FUTURE_S = 30 * 86_400;

/** Values the published schema accepts (not necessarily ones the domain accepts). */
export function validValue(doc: OpenApiDocument, schema: Schema, context: ValueContext, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  if (Array.isArray(s.enum) && s.enum.length) return fc.constantFrom(...s.enum);
  if ('const' in s) return fc.constant(s.const);
  const alternatives = s.anyOf ?? s.oneOf;
  if (Array.isArray(alternatives) && alternatives.length) return fc.oneof(...alternatives.map((inner: Schema) => validValue(doc, inner, context, depth + 1)));
  const type = typesOf(s).find((t) => t !== 'null') ?? (s.properties ? 'object' : 'string');
  switch (type) {
    case 'string': {
      if (s.format === 'uuid') return fc.oneof(fc.constantFrom(...context.ids), fc.uuid({ version: 7 }));
      if (s.format === 'date-time') {
        return fc.integer({ min: 600, max: FAR_FUTURE_S }).map((seconds) => new Date(Math.floor(Date.now() / 1000 + seconds) * 1000).toISOString());
      }
      const min = s.minLength ?? 0;
      const max = Math.min(s.maxLength ?? min + 20, min + 20);
      const fits = (text: string) => [...text].length >= (s.minLength ?? 0) && [...text].length <= (s.maxLength ?? Infinity);
      if (typeof s.pattern === 'string' && s.pattern !== '^[^\\u0000]*$') return fc.stringMatching(regexOf(s.pattern), { size: 'xsmall' }).filter(fits);
      return fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }).filter((text) => fits(text) && !text.includes('\u0000'));
    }
    case 'integer': {
      const lo = Math.ceil(s.minimum ?? -1000);
      const hi = Math.floor(s.maximum ?? 1_000_000);
      if (hi - lo <= 2 ** 31 - 1) return fc.integer({ min: lo, max: hi });
      return fc.oneof(fc.constantFrom(lo, hi), fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((n) => lo + n));
    }
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      if (depth > 4) return fc.constant([]);
      const minLength = s.minItems ?? 0;
      return fc.array(validValue(doc, s.items ?? {}, context, depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(s.maxItems ?? 3, 3)) });
    }
    case 'object': {
      if (depth > 4) return fc.constant({});
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, inner] of Object.entries<Schema>(s.properties ?? {})) model[key] = validValue(doc, inner, context, depth + 1);
      return fc.record(model, { requiredKeys: (s.required ?? []).filter((key: string) => key in model) });
    }
    default:
      return fc.constant(null);
  }
}
