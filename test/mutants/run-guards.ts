import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { GUARDS, occurrences, type Guard } from './guards.ts';

/**
 * The critical-guards check (`npm run test:guards [name...]`): removes each guard of
 * test/mutants/guards.ts, one at a time, in a scratch copy of the repository (node_modules
 * symlinked), runs the tests that own it, and fails if they all still pass. The working tree is
 * never edited, so Ctrl-C leaves nothing half-mutated behind; the scratch copies are removed on exit.
 *
 * `GUARD_JOBS` (default 2) copies work side by side, each on one guard at a time: the runs mostly
 * wait (database creation, job delays), and load can only make a removed guard fail more often,
 * never pass. Run it on a tree whose tests pass (CI runs it after `npm test`), since a test failing
 * for another reason passes for a kill; `--baseline` first runs each guard's tests unmutated and
 * reports those that fail.
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
const queue = names.length ? GUARDS.filter((g) => names.includes(g.name)) : [...GUARDS];
const jobs = Math.max(1, Math.min(Number(process.env.GUARD_JOBS ?? 2), queue.length));
/** Longest a guard's test run may take; a run that hangs is a failure of the check, not a kill. */
const RUN_TIMEOUT_MS = Number(process.env.GUARD_TIMEOUT_MS ?? 240_000);

const scratches: string[] = [];
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

// Tracked and new (not ignored) files: what the next commit would hold, without node_modules or reports.
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
function makeScratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gavel-guards-'));
  scratches.push(dir);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(root, file), join(dir, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // deleted but not yet staged
    }
  }
  symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'));
  return dir;
}

interface Run {
  code: number | null;
  timedOut: boolean;
  output: string;
  ms: number;
}

function runTests(dir: string, guard: Guard): Promise<Run> {
  const started = Date.now();
  const matches = (guard.match ?? []).flatMap((m) => ['--match', m]);
  return new Promise((done) => {
    let output = '';
    // Its own process group, so a timeout or Ctrl-C takes ava's workers (and their servers) with it.
    const child = spawn('npx', ['ava', '--fail-fast', ...matches, ...guard.tests], { cwd: dir, detached: true, env: { ...process.env, FORCE_COLOR: '0' } });
    children.add(child);
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
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

type Verdict = 'killed' | 'SURVIVED' | 'ERROR';

async function check(dir: string, guard: Guard): Promise<{ verdict: Verdict; ms: number; report: string }> {
  const originals = new Map(guard.edits.map((edit) => [edit.file, readFileSync(join(dir, edit.file), 'utf8')]));
  const stale = guard.edits.filter((edit) => occurrences(originals.get(edit.file)!, edit.find) !== 1);
  if (stale.length) {
    return { verdict: 'ERROR', ms: 0, report: `✘ ${guard.name}: the guarded text is not found exactly once in ${stale.map((e) => e.file).join(', ')}; update test/mutants/guards.ts` };
  }
  if (baseline) {
    const clean = await runTests(dir, guard);
    if (clean.code !== 0) return { verdict: 'ERROR', ms: clean.ms, report: `✘ ${guard.name}: its tests fail without the mutation; fix them first\n${failures(clean.output) || clean.output.slice(-2000)}` };
  }
  const mutated = new Map(originals);
  for (const edit of guard.edits) mutated.set(edit.file, mutated.get(edit.file)!.replace(edit.find, () => edit.replace));
  let run: Run;
  try {
    for (const [file, text] of mutated) writeFileSync(join(dir, file), text);
    run = await runTests(dir, guard);
  } finally {
    for (const [file, text] of originals) writeFileSync(join(dir, file), text);
  }
  const seconds = (run.ms / 1000).toFixed(1);
  if (run.timedOut) return { verdict: 'ERROR', ms: run.ms, report: `✘ ${guard.name}: its tests did not finish within ${RUN_TIMEOUT_MS / 1000} s with the guard removed` };
  if (run.code === 0) return { verdict: 'SURVIVED', ms: run.ms, report: `✘ ${guard.name} SURVIVED (${seconds} s): ${guard.tests.join(' ')} pass without it.\n    ${guard.why}` };
  return { verdict: 'killed', ms: run.ms, report: `✔ ${guard.name} killed (${seconds} s)\n${failures(run.output)}` };
}

const started = Date.now();
const results: { guard: Guard; verdict: Verdict }[] = [];
await Promise.all(
  Array.from({ length: jobs }, async () => {
    const dir = makeScratch();
    for (let guard = queue.shift(); guard; guard = queue.shift()) {
      const result = await check(dir, guard);
      console.log(result.report);
      results.push({ guard, verdict: result.verdict });
    }
  }),
);

const bad = results.filter((r) => r.verdict !== 'killed');
const total = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\n${results.length - bad.length}/${results.length} guards killed by their tests in ${total} s (${jobs} at a time)${bad.length ? `; not killed: ${bad.map((r) => r.guard.name).join(', ')}` : ''}`);
process.exitCode = bad.length ? 1 : 0;
