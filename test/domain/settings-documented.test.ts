import test from 'ava';
import { readFileSync } from 'node:fs';
import { SETTING_NAMES } from '../../infra/config.ts';

/** Every setting the configuration reads is documented, and nothing documented is gone. */
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

test("the README's Configuration table names exactly the settings infra/config.ts reads", (t) => {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
  const documented = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!));
  t.deepEqual([...new Set(documented)].sort(), [...SETTING_NAMES].sort());
});

test('.env.example lists every setting', (t) => {
  const listed = [...read('.env.example').matchAll(/^#? ?([A-Z0-9_]+)=/gm)].map((m) => m[1]!);
  t.deepEqual([...new Set(listed)].sort(), [...SETTING_NAMES].sort());
});
