import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import { entities } from '../domain/entities.ts';
import { migrations } from '../migrations/index.ts';
import type { Logger } from './logger.ts';

export type Orm = MikroORM;
export type { EntityManager };

export interface OrmOptions {
  poolMax?: number;
  /** Longest wait for a pooled connection (or a new one to open) before the query fails; 0: no limit. */
  acquireTimeoutMs?: number;
  logger?: Logger;
}

export async function createOrm(databaseUrl: string, options: OrmOptions = {}): Promise<Orm> {
  return MikroORM.init({
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: options.poolMax ?? 10 },
    // pg-pool applies this to a wait in its queue as well as to opening a connection, so a
    // saturated pool fails a request fast (503) instead of holding it until its deadline.
    driverOptions: { connectionTimeoutMillis: options.acquireTimeoutMs ?? 0 },
    ensureDatabase: false,
    // Every request forks its own EntityManager; touching the global one is a bug.
    allowGlobalContext: false,
    migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    debug: false,
    logger: (message) => options.logger?.debug({ orm: message }, 'mikro-orm'),
  });
}

// Any constant shared by every gavel process; it names the advisory lock that serialises migrators.
const MIGRATION_LOCK_KEY = 4_718_209_331;

/** Applies pending migrations; several processes starting at once take turns instead of colliding. */
export async function migrate(orm: Orm, databaseUrl: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await orm.migrator.up();
    return applied.map((m) => m.name);
  } finally {
    await lock.end();
  }
}

/**
 * What `npm start` and `npm run migrate` do before anything else: create the database if it is
 * missing, then apply pending migrations with a connection of their own.
 */
export async function prepareDatabase(databaseUrl: string, logger: Logger): Promise<{ created: boolean; applied: string[] }> {
  const created = await ensureDatabase(databaseUrl);
  if (created) logger.info('database created');
  const orm = await createOrm(databaseUrl, { logger });
  try {
    return { created, applied: await migrate(orm, databaseUrl) };
  } finally {
    await orm.close();
  }
}

/** Creates the database named in the URL when it is missing (what `npm start` promises). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await admin.query(`create database ${pg.escapeIdentifier(name)} template template0 encoding 'UTF8'`);
    return true;
  } catch (error) {
    // Another process created it between our check and our create.
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  } finally {
    await admin.end();
  }
}
