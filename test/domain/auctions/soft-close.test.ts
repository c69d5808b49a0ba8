import test from 'ava';
import { extendForSoftClose } from '../../../domain/auctions/soft-close.ts';
import { ENDS_AT, seconds } from './fixtures.ts';

const timing = { endsAt: ENDS_AT, originalEndsAt: ENDS_AT };
const window60 = { softCloseWindowS: 60, softCloseMaxExtensionS: 600 };

test('a bid outside the window leaves the end alone', (t) => {
  t.deepEqual(extendForSoftClose(timing, window60, seconds(ENDS_AT, -3600)), { endsAt: ENDS_AT, extended: false });
  t.deepEqual(extendForSoftClose(timing, window60, seconds(ENDS_AT, -60)), { endsAt: ENDS_AT, extended: false });
});

test('a bid inside the window moves the end to a full window after it', (t) => {
  const now = seconds(ENDS_AT, -10);
  t.deepEqual(extendForSoftClose(timing, window60, now), { endsAt: seconds(now, 60), extended: true });
  const justInside = seconds(ENDS_AT, -59.999);
  t.deepEqual(extendForSoftClose(timing, window60, justInside), { endsAt: seconds(justInside, 60), extended: true });
});

test('repeated extensions stop at the original end plus the maximum extension', (t) => {
  const nearCap = { endsAt: seconds(ENDS_AT, 580), originalEndsAt: ENDS_AT };
  t.deepEqual(extendForSoftClose(nearCap, window60, seconds(ENDS_AT, 570)), { endsAt: seconds(ENDS_AT, 600), extended: true });
  const atCap = { endsAt: seconds(ENDS_AT, 600), originalEndsAt: ENDS_AT };
  t.deepEqual(extendForSoftClose(atCap, window60, seconds(ENDS_AT, 595)), { endsAt: atCap.endsAt, extended: false });
});

test('a lowered cap never pulls the end earlier', (t) => {
  const beyondCap = { endsAt: seconds(ENDS_AT, 100), originalEndsAt: ENDS_AT };
  const tightCap = { softCloseWindowS: 60, softCloseMaxExtensionS: 30 };
  t.deepEqual(extendForSoftClose(beyondCap, tightCap, seconds(ENDS_AT, 90)), { endsAt: beyondCap.endsAt, extended: false });
});

test('a window of 0 turns soft close off', (t) => {
  const off = { softCloseWindowS: 0, softCloseMaxExtensionS: 600 };
  t.deepEqual(extendForSoftClose(timing, off, seconds(ENDS_AT, -1)), { endsAt: ENDS_AT, extended: false });
});

test('a maximum extension of 0 means the end never moves', (t) => {
  const noExtension = { softCloseWindowS: 60, softCloseMaxExtensionS: 0 };
  t.deepEqual(extendForSoftClose(timing, noExtension, seconds(ENDS_AT, -1)), { endsAt: ENDS_AT, extended: false });
});
