import test from 'ava';
import { DomainError } from '../../domain/errors.ts';
import { decodeCursor, encodeCursor, type CursorField } from '../../domain/shared/cursor.ts';

const ID = '0190a0b0-1c2d-7e3f-8a4b-5c6d7e8f9a0b';
const encodeRaw = (text: string) => Buffer.from(text).toString('base64url');

test('a cursor decodes to the values it was made from', (t) => {
  const cases: [(string | number)[], CursorField[]][] = [
    [['2026-11-26T09:30:00.123456Z', ID], ['timestamp', 'uuid']],
    [['2026-11-26T09:30:00Z', ID.toUpperCase()], ['timestamp', 'uuid']],
    [[1_500_000, ID], ['integer', 'uuid']],
    [[0, ID], ['integer', 'uuid']],
    [[Number.MAX_SAFE_INTEGER], ['integer']],
    [['2028-02-29T23:59:59.9Z'], ['timestamp']],
  ];
  for (const [values, shape] of cases) t.deepEqual(decodeCursor(encodeCursor(values), shape), values);
});

test('a cursor is opaque and safe in a URL', (t) => {
  const cursor = encodeCursor(['2026-11-26T09:30:00.123456Z', ID]);
  t.regex(cursor, /^[A-Za-z0-9_-]+$/);
  t.false(cursor.includes(ID));
});

const forged: [string, string][] = [
  ['not base64 at all', '!!!$$$***'],
  ['empty', ''],
  ['base64 of text that is not JSON', encodeRaw('hello')],
  ['a JSON object instead of an array', encodeRaw(JSON.stringify({ createdAt: '2026-11-26T09:30:00Z', id: ID }))],
  ['a JSON string', encodeRaw(JSON.stringify('2026-11-26T09:30:00Z'))],
  ['JSON null', encodeRaw('null')],
  ['too few values', encodeCursor(['2026-11-26T09:30:00Z'])],
  ['too many values', encodeCursor(['2026-11-26T09:30:00Z', ID, 1])],
  ['the values swapped', encodeCursor([ID, '2026-11-26T09:30:00Z'])],
  ['a number for the timestamp', encodeCursor([1764149400000, ID])],
  ['a nested array', encodeRaw(JSON.stringify([['2026-11-26T09:30:00Z'], ID]))],
  ['null values', encodeRaw(JSON.stringify([null, null]))],
  ['a month 13, day 45, hour 99', encodeCursor(['2026-13-45T99:00:00Z', ID])],
  ['February 30th', encodeCursor(['2026-02-30T00:00:00Z', ID])],
  ['April 31st', encodeCursor(['2026-04-31T12:00:00Z', ID])],
  ['February 29th of a common year', encodeCursor(['2027-02-29T12:00:00Z', ID])],
  ['hour 24', encodeCursor(['2026-01-01T24:00:00Z', ID])],
  ['year zero', encodeCursor(['0000-01-01T00:00:00Z', ID])],
  ['a time without a zone', encodeCursor(['2026-11-26T09:30:00', ID])],
  ['a time in another zone', encodeCursor(['2026-11-26T09:30:00+09:00', ID])],
  ['a date only', encodeCursor(['2026-11-26', ID])],
  ['too many fraction digits', encodeCursor(['2026-11-26T09:30:00.1234567Z', ID])],
  ['SQL in the timestamp', encodeCursor(["2026-11-26T09:30:00Z'; drop table listings; --", ID])],
  ['SQL in the id', encodeCursor(['2026-11-26T09:30:00Z', "' or 1=1 --"])],
  ['SQL as the cursor itself', "'; drop table listings; --"],
  ['an id that is not a UUID', encodeCursor(['2026-11-26T09:30:00Z', '12345'])],
  ['a fractional integer', encodeCursor([1.5, ID])],
  ['an integer beyond 2^53', encodeRaw(`[9007199254740993, "${ID}"]`)],
  ['an integer as a string', encodeCursor(['1500000', ID])],
  ['a prototype-polluting object', encodeRaw('{"__proto__": {"admin": true}}')],
];

for (const [name, cursor] of forged) {
  test(`a forged cursor (${name}) is an invalid-cursor domain error`, (t) => {
    const shape: CursorField[] = name.includes('integer') ? ['integer', 'uuid'] : ['timestamp', 'uuid'];
    const error = t.throws(() => decodeCursor(cursor, shape), { instanceOf: DomainError });
    t.is(error?.code, 'invalid-cursor');
    t.is(error?.kind, 'invalid');
  });
}

test('a cursor of one list is refused by a list with another sort key', (t) => {
  const byPrice = encodeCursor([1000, ID]);
  const error = t.throws(() => decodeCursor(byPrice, ['timestamp', 'uuid']), { instanceOf: DomainError });
  t.is(error?.code, 'invalid-cursor');
});
