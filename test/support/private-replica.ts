import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './api-process.ts';
import { asPostgres, binDir, type PrivatePostgres } from './private-postgres.ts';

const run = promisify(execFile);

/** A streaming replica of a private primary: `pg_basebackup -R` of it, started on a port of its own. */
export interface PrivateReplica {
  port: number;
  /** `databaseUrl` with the replica's port, once the replica has replayed that database's creation. */
  urlOf(databaseUrl: string): Promise<string>;
  /** Stops applying WAL (the replica lags from now on) / applies it again. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startPrivateReplica(primary: PrivatePostgres): Promise<PrivateReplica> {
  const bin = await binDir();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'gavel-pg-replica-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  // -R writes standby.signal and primary_conninfo: the copy starts as a streaming standby.
  await asPostgres([`${bin}/pg_basebackup`, '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '--no-sync']);
  let running = false;
  const start = async () => {
    if (running) return;
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c hot_standby=on -c max_connections=100`;
    await asPostgres([`${bin}/pg_ctl`, '-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
    running = true;
  };
  const stop = async () => {
    if (!running) return;
    await asPostgres([`${bin}/pg_ctl`, '-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
    running = false;
  };
  const query = async (sql: string, database = 'postgres') => {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/${database}` });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await start();
  return {
    port,
    async urlOf(databaseUrl) {
      const url = new URL(databaseUrl);
      url.port = String(port);
      const name = decodeURIComponent(url.pathname.slice(1));
      const deadline = Date.now() + 20_000;
      // The database and its migrations arrive by WAL; wait until the last migration's table is there.
      while (!(await query(`select 1 from pg_database where datname = '${name.replaceAll("'", "''")}'`).then((r) => r.rowCount, () => 0))) {
        if (Date.now() > deadline) throw new Error(`the replica never saw database ${name}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return url.toString();
    },
    pauseReplay: async () => void (await query('select pg_wal_replay_pause()')),
    resumeReplay: async () => void (await query('select pg_wal_replay_resume()')),
    stop,
    start,
    async dispose() {
      await stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
