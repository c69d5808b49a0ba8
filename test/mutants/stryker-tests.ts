import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The test command Stryker's command runner runs for every mutant (stryker.config.json), in
 * Stryker's sandbox. Stryker activates one mutant through `__STRYKER_ACTIVE_MUTANT__`; this finds
 * the file that holds it (its id appears in the instrumented source) and runs only the fast-tier
 * test files whose imports reach that file, stopping at the first failure. Without a mutant (the
 * dry run) it runs all of them. Running the whole tier for each of a thousand mutants would take
 * hours; file-level selection gives the same verdict, since a test that never imports a file cannot
 * kill its mutants.
 */
const TIERS = ['test/domain'];
const root = process.cwd();

const walk = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });

const importPattern = /(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Every project file `file` reaches through relative imports, itself included. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  let source: string;
  try {
    source = readFileSync(join(root, file), 'utf8');
  } catch {
    return seen;
  }
  for (const match of source.matchAll(importPattern)) {
    const target = relative(root, resolve(root, dirname(file), (match[1] ?? match[2])!));
    if (target.endsWith('.ts')) closure(target, seen);
  }
  return seen;
}

const testFiles = TIERS.flatMap(walk).filter((file) => file.endsWith('.test.ts'));
const active = process.env.__STRYKER_ACTIVE_MUTANT__;

let selected = testFiles;
if (active) {
  // The instrumenter marks each mutant in its file as stryMutAct_<hash>("<id>").
  const marker = new RegExp(`stryMutAct_[0-9a-f]+\\("${active}"\\)`);
  const mutated = walk('domain').find((file) => file.endsWith('.ts') && marker.test(readFileSync(join(root, file), 'utf8')));
  if (!mutated) {
    console.error(`mutant ${active} not found in domain/`);
    process.exit(2);
  }
  selected = testFiles.filter((test) => closure(test).has(mutated));
  if (!selected.length) {
    console.log(`no fast-tier test imports ${mutated}: mutant ${active} survives`);
    process.exit(0);
  }
}

// ava's own entry point under this node, skipping npx: it is paid once per mutant.
const ava = join(dirname(fileURLToPath(import.meta.resolve('ava'))), 'cli.mjs');
const run = spawnSync(process.execPath, [ava, '--fail-fast', ...selected], { stdio: 'inherit', env: process.env });
process.exit(run.status ?? 1);
