import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../infra/config.ts';
import type { EntityManager } from '../../infra/database.ts';
import { closeInfrastructure, createInfrastructure, type Infrastructure } from '../../infra/infrastructure.ts';
import { createLogger } from '../../infra/logger.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { holdRedisPrefix } from './redis-keys.ts';
import { TEST_JWT_SECRET } from './secrets.ts';

/**
 * The use-case tier: domain use cases called directly against a real, migrated PostgreSQL and the
 * real infrastructure (Redis, BullMQ producer, dispatcher), with no HTTP in between.
 */
export interface UseCaseHarness {
  db: TestDatabase;
  infra: Infrastructure;
  em(): EntityManager;
  /** A user row (no password check happens below HTTP). */
  user(nickname?: string): Promise<{ id: string; phone: string }>;
  close(): Promise<void>;
}

let users = 0;

export async function startUseCaseHarness(label: string, env: Record<string, string> = {}): Promise<UseCaseHarness> {
  const db = await createTestDatabase(label);
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `gavel_test_${label}_${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const prefix = holdRedisPrefix(config);
  const infra = await createInfrastructure(config, { logger: createLogger(config.logLevel), orm: db.orm });
  await infra.jobs.waitUntilReady();
  return {
    db,
    infra,
    em: () => db.orm.em.fork(),
    async user(nickname = `uc${users}`) {
      const phone = `+8210${String(process.pid % 10_000).padStart(4, '0')}${String(9000 + users++).padStart(4, '0')}`;
      const [row] = await db.orm.em
        .fork()
        .execute<{ id: string }[]>(`insert into users (id, phone, password_hash, nickname) values (gen_random_uuid(), ?, 'not-a-login', ?) returning id`, [phone, nickname]);
      return { id: row!.id, phone };
    },
    async close() {
      await closeInfrastructure(infra, { keepOrm: true });
      try {
        await prefix.release();
      } finally {
        await db.drop();
      }
    },
  };
}
