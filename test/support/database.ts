import { randomBytes } from 'node:crypto';
import { createOrm, dropDatabase, ensureDatabase, migrate, type Orm } from '../../infra/database.ts';

export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  orm: Orm;
  drop(): Promise<void>;
}

/** A database of its own for one test file, migrated from scratch, so parallel files never collide. */
export async function createTestDatabase(label = 'test', adminUrl = ADMIN_DATABASE_URL): Promise<TestDatabase> {
  const url = new URL(adminUrl);
  url.pathname = `/gavel_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  const orm = await createOrm(databaseUrl, { poolMax: 20 });
  await migrate(orm, databaseUrl);
  return {
    url: databaseUrl,
    orm,
    async drop() {
      await orm.close();
      await dropDatabase(databaseUrl);
    },
  };
}
