import test from 'ava';
import { longestPacedBodyS, paceViolation } from '../../domain/photos/upload-pace.ts';

const pace = { idleTimeoutS: 10, minBytesPerS: 4096 };

test('silence for the idle timeout is idle, at any point', (t) => {
  t.is(paceViolation({ elapsedMs: 10_000, idleMs: 10_000, received: 0 }, pace), 'idle');
  t.is(paceViolation({ elapsedMs: 60_000, idleMs: 10_000, received: 10_000_000 }, pace), 'idle');
  t.is(paceViolation({ elapsedMs: 9_999, idleMs: 9_999, received: 0 }, pace), null);
});

test('one byte every 5 s is never idle, and is too slow as soon as the grace is over', (t) => {
  t.is(paceViolation({ elapsedMs: 9_000, idleMs: 4_000, received: 2 }, pace), null, 'within the grace');
  t.is(paceViolation({ elapsedMs: 10_500, idleMs: 500, received: 3 }, pace), 'slow');
});

test('a body keeping the minimum rate after the grace passes, and the longest it may take covers it', (t) => {
  t.is(paceViolation({ elapsedMs: 20_000, idleMs: 100, received: 4096 * 10 }, pace), null);
  t.is(paceViolation({ elapsedMs: 20_000, idleMs: 100, received: 4096 * 10 - 1 }, pace), 'slow');
  const size = 10 * 1024 * 1024;
  t.is(paceViolation({ elapsedMs: longestPacedBodyS(size, pace) * 1000, idleMs: 0, received: size }, pace), null);
});
