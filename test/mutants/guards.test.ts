import test from 'ava';
import { readFileSync } from 'node:fs';
import { GUARDS, occurrences } from './guards.ts';

/**
 * The critical-guards list stays true to the code: every guarded text is where the list says, once,
 * and every test file it names exists. (Removing each guard and watching its tests fail is
 * `npm run test:guards`, which CI runs after `npm test`.)
 */
const root = new URL('../../', import.meta.url);

test('every guard names text found exactly once, and test files that exist', (t) => {
  t.true(GUARDS.length > 0);
  t.is(new Set(GUARDS.map((g) => g.name)).size, GUARDS.length, 'guard names are unique');
  for (const guard of GUARDS) {
    t.true(guard.edits.length > 0, guard.name);
    for (const edit of guard.edits) {
      const source = readFileSync(new URL(edit.file, root), 'utf8');
      t.is(occurrences(source, edit.find), 1, `${guard.name}: ${JSON.stringify(edit.find)} in ${edit.file}`);
      t.not(edit.find, edit.replace, `${guard.name} changes something`);
    }
    for (const file of guard.tests) t.notThrows(() => readFileSync(new URL(file, root)), `${guard.name}: ${file}`);
    t.truthy(guard.why, guard.name);
  }
});
