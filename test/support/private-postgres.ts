import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './api-process.ts';

const run = promisify(execFile);

/**
 * A PostgreSQL server of a test's own (initdb + pg_ctl, run as the `postgres` user), on a free
 * port, that the test may stop and start again on the same port and data (an outage). It never
 * touches the shared server on 5432.
 */
export interface PrivatePostgres {
  port: number;
  /** The `postgres` database, trust auth: what createTestDatabase takes as its admin URL. */
  adminUrl: string;
  readonly running: boolean;
  /** A fast shutdown: open connections are terminated, as in a crash or failover of the server. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server for good and removes its data directory. */
  dispose(): Promise<void>;
}

export async function binDir(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs a PostgreSQL tool as `postgres` (the server refuses to run as root). */
export async function asPostgres(command: string[]): Promise<void> {
  const line = command.map(quote).join(' ');
  if (process.getuid?.() === 0) await run('su', ['postgres', '-c', line], { timeout: 60_000 });
  else await run('sh', ['-c', line], { timeout: 60_000 });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await binDir();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'gavel-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await asPostgres([`${bin}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  let running = false;
  const start = async () => {
    if (running) return;
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
    await asPostgres([`${bin}/pg_ctl`, '-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
    running = true;
  };
  const stop = async () => {
    if (!running) return;
    await asPostgres([`${bin}/pg_ctl`, '-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
    running = false;
  };
  await start();
  return {
    port,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    get running() {
      return running;
    },
    start,
    stop,
    async dispose() {
      await stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
