import pg from 'pg';

/** The tables a rejected write must not touch; all of the schema's tables are watched, these must exist. */
export const WATCHED_TABLES = ['users', 'refresh_tokens', 'listings', 'listing_likes', 'trades', 'auctions', 'bids', 'auction_events', 'idempotency_keys', 'notifications'];

export interface Snapshot {
  /** Per table: row count and a digest of every row's full text. */
  tables: Record<string, { rows: number; digest: string }>;
  /** Rows whose id (or listing/auction id) is the one the request named, in full. */
  target: Record<string, unknown[]>;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the test database directly, beside the app, so nothing the app caches hides a change. */
export class DatabaseProbe {
  private readonly client: pg.Client;
  private tables: string[] = [];
  private targetColumns: Record<string, string[]> = {};

  private constructor(client: pg.Client) {
    this.client = client;
  }

  static async connect(url: string): Promise<DatabaseProbe> {
    const probe = new DatabaseProbe(new pg.Client({ connectionString: url }));
    await probe.client.connect();
    const { rows } = await probe.client.query<{ table_name: string; column_name: string; data_type: string }>(
      `select c.table_name, c.column_name, c.data_type from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.table_name not like 'mikro_orm%'`,
    );
    probe.tables = [...new Set(rows.map((r) => r.table_name))].sort();
    for (const { table_name, column_name, data_type } of rows) {
      if (data_type === 'uuid' && ['id', 'listing_id', 'auction_id'].includes(column_name)) (probe.targetColumns[table_name] ??= []).push(column_name);
    }
    const missing = WATCHED_TABLES.filter((name) => !probe.tables.includes(name));
    if (missing.length) throw new Error(`tables to watch are missing: ${missing.join(', ')}`);
    return probe;
  }

  async snapshot(targetId?: string): Promise<Snapshot> {
    const digests = this.tables
      .map((name) => `select '${name}' as name, count(*)::int as rows, md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as digest from ${quote(name)} t`)
      .join(' union all ');
    const { rows } = await this.client.query<{ name: string; rows: number; digest: string }>(digests);
    const snapshot: Snapshot = { tables: Object.fromEntries(rows.map((r) => [r.name, { rows: r.rows, digest: r.digest }])), target: {} };
    if (targetId && UUID.test(targetId)) {
      const parts = Object.entries(this.targetColumns).map(
        ([name, columns]) => `select '${name}' as name, to_jsonb(t)::text as row from ${quote(name)} t where ${columns.map((c) => `t.${quote(c)} = $1::uuid`).join(' or ')}`,
      );
      const found = await this.client.query<{ name: string; row: string }>(`${parts.join(' union all ')} order by 1, 2`, [targetId.toLowerCase()]);
      for (const { name, row } of found.rows) (snapshot.target[name] ??= []).push(JSON.parse(row));
    }
    return snapshot;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** What changed between two snapshots, in words; empty when nothing did. */
export function changes(before: Snapshot, after: Snapshot): string[] {
  const found: string[] = [];
  for (const [name, was] of Object.entries(before.tables)) {
    const now = after.tables[name];
    if (!now) found.push(`${name}: gone`);
    else if (was.rows !== now.rows) found.push(`${name}: ${was.rows} → ${now.rows} rows`);
    else if (was.digest !== now.digest) found.push(`${name}: same ${now.rows} rows, but their contents changed`);
  }
  const targetBefore = JSON.stringify(before.target);
  const targetAfter = JSON.stringify(after.target);
  if (targetBefore !== targetAfter) found.push(`targeted rows before: ${targetBefore}\n  targeted rows after:  ${targetAfter}`);
  return found;
}
