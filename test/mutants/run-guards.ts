import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { GUARDS, occurrences, type Guard } from './guards.ts';

/**
 * The critical-guards check (`npm run test:guards [name...]`): removes each guard of
 * test/mutants/guards.ts, one at a time, in a scratch copy of the repository (node_modules
 * symlinked), runs the tests that own it, and fails if any of them still pass. The working tree is
 * never edited, so Ctrl-C can leave nothing half-mutated behind; the scratch copy is removed on exit.
 * Run it on a tree whose tests pass (CI runs it after `npm test`): a test that fails for another
 * reason would pass for a kill. `--baseline` first runs each guard's tests unmutated and stops if
 * they fail.
 */
const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const args = process.argv.slice(2);
const baseline = args.includes('--baseline');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !GUARDS.some((g) => g.name === n));
if (unknown.length) {
  console.error(`unknown guard(s): ${unknown.join(', ')}; known: ${GUARDS.map((g) => g.name).join(', ')}`);
  process.exit(2);
}
const chosen = names.length ? GUARDS.filter((g) => names.includes(g.name)) : GUARDS;
/** Longest a guard's test run may take; a run that hangs is a failure of the check, not a kill. */
const RUN_TIMEOUT_MS = Number(process.env.GUARD_TIMEOUT_MS ?? 240_000);

const scratch = mkdtempSync(join(tmpdir(), 'gavel-guards-'));
let child: ReturnType<typeof spawn> | undefined;
const cleanUp = () => {
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(scratch, { recursive: true, force: true });
};
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

// Tracked and new (not ignored) files: what the next commit would hold, without node_modules or reports.
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
for (const file of files) {
  mkdirSync(dirname(join(scratch, file)), { recursive: true });
  try {
    cpSync(join(root, file), join(scratch, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // deleted but not yet staged
  }
}
symlinkSync(realpathSync(join(root, 'node_modules')), join(scratch, 'node_modules'));

interface Run {
  code: number | null;
  timedOut: boolean;
  output: string;
  ms: number;
}

function runTests(guard: Guard): Promise<Run> {
  const started = Date.now();
  const matches = (guard.match ?? []).flatMap((m) => ['--match', m]);
  return new Promise((done) => {
    let output = '';
    // Its own process group, so a timeout or Ctrl-C takes ava's workers (and their servers) with it.
    child = spawn('npx', ['ava', '--fail-fast', ...matches, ...guard.tests], { cwd: scratch, detached: true, env: { ...process.env, FORCE_COLOR: '0' } });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child!.pid!, 'SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      child = undefined;
      done({ code, timedOut, output, ms: Date.now() - started });
    });
  });
}

/** The lines of ava's output that say which test failed, for the log. */
const failures = (output: string) =>
  output
    .split('\n')
    .filter((line) => /✘|Uncaught|Unhandled|timed out/.test(line))
    .slice(0, 4)
    .map((line) => `      ${line.trim().slice(0, 200)}`)
    .join('\n');

const results: { guard: Guard; verdict: 'killed' | 'SURVIVED' | 'ERROR'; ms: number }[] = [];
for (const guard of chosen) {
  const originals = new Map(guard.edits.map((edit) => [edit.file, readFileSync(join(scratch, edit.file), 'utf8')]));
  const stale = guard.edits.filter((edit) => occurrences(originals.get(edit.file)!, edit.find) !== 1);
  if (stale.length) {
    console.log(`✘ ${guard.name}: the guarded text is not found exactly once in ${stale.map((e) => e.file).join(', ')}; update test/mutants/guards.ts`);
    results.push({ guard, verdict: 'ERROR', ms: 0 });
    continue;
  }
  if (baseline) {
    const clean = await runTests(guard);
    if (clean.code !== 0) {
      console.log(`✘ ${guard.name}: its tests fail without the mutation; fix them first\n${failures(clean.output) || clean.output.slice(-2000)}`);
      results.push({ guard, verdict: 'ERROR', ms: clean.ms });
      continue;
    }
  }
  const mutated = new Map(originals);
  for (const edit of guard.edits) mutated.set(edit.file, mutated.get(edit.file)!.replace(edit.find, () => edit.replace));
  let run: Run;
  try {
    for (const [file, text] of mutated) writeFileSync(join(scratch, file), text);
    run = await runTests(guard);
  } finally {
    for (const [file, text] of originals) writeFileSync(join(scratch, file), text);
  }
  const seconds = (run.ms / 1000).toFixed(1);
  if (run.timedOut) {
    console.log(`✘ ${guard.name}: its tests did not finish within ${RUN_TIMEOUT_MS / 1000} s with the guard removed (${seconds} s)`);
    results.push({ guard, verdict: 'ERROR', ms: run.ms });
  } else if (run.code === 0) {
    console.log(`✘ ${guard.name} SURVIVED (${seconds} s): ${guard.tests.join(' ')} pass without it.\n    ${guard.why}`);
    results.push({ guard, verdict: 'SURVIVED', ms: run.ms });
  } else {
    console.log(`✔ ${guard.name} killed (${seconds} s)\n${failures(run.output)}`);
    results.push({ guard, verdict: 'killed', ms: run.ms });
  }
}

const bad = results.filter((r) => r.verdict !== 'killed');
const total = (results.reduce((sum, r) => sum + r.ms, 0) / 1000).toFixed(0);
console.log(`\n${results.length - bad.length}/${results.length} guards killed by their tests in ${total} s${bad.length ? `; not killed: ${bad.map((r) => r.guard.name).join(', ')}` : ''}`);
process.exitCode = bad.length ? 1 : 0;
