import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAppDeps, createAppDeps } from '../../api/app-deps.ts';
import { listen, type RunningApi } from '../../api/server.ts';
import type { AppDeps } from '../../api/context.ts';
import { loadConfig, type Config } from '../../infra/config.ts';
import { closeInfrastructure, createInfrastructure } from '../../infra/infrastructure.ts';
import { createLogger, type Logger } from '../../infra/logger.ts';
import { UNSHED_ENV } from './api-process.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { holdRedisPrefix, TEST_REDIS_URL } from './redis-keys.ts';
import { TEST_JWT_SECRET } from './secrets.ts';

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApi {
  baseUrl: string;
  deps: AppDeps;
  db: TestDatabase;
  api: RunningApi;
  request<T = any>(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string }): Promise<HttpResult<T>>;
  signup(overrides?: Partial<{ phone: string; password: string; nickname: string }>): Promise<TestUser>;
  close(): Promise<void>;
}

export interface TestUser {
  id: string;
  phone: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

let phoneCounter = 0;
/**
 * Distinct E.164 numbers per process; pid keeps parallel test files apart. Always 010-2xxx-xxxx:
 * numbering plans leave some 010 blocks unassigned (010-597x is not a number), and phones are now
 * validated, so a pid landing in one would fail a whole file.
 */
export const uniquePhone = () => `+82102${String(process.pid % 1000).padStart(3, '0')}${String(phoneCounter++).padStart(4, '0')}`;

/**
 * The real app on an ephemeral port, with its own database and Redis key prefix, driven over
 * HTTP exactly as a client would.
 */
export interface TestApiOptions {
  logger?: Logger;
  /** The PostgreSQL server to create the test's database on (a private one: test/support/private-postgres.ts). */
  adminDatabaseUrl?: string;
  /**
   * The app gets a connection pool of its own, sized and timed by its config (`DATABASE_POOL_MAX`,
   * `DATABASE_ACQUIRE_TIMEOUT_MS`) as in production, instead of sharing the test database's.
   */
  ownPool?: boolean;
  /** Points DATABASE_READ_URL at a replica: given the test database's URL, resolves with the replica's once it has it. */
  readReplica?: (databaseUrl: string) => Promise<string>;
}

export async function startTestApi(label: string, env: Record<string, string> = {}, options: TestApiOptions = {}): Promise<TestApi> {
  const db = await createTestDatabase(label, options.adminDatabaseUrl);
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `gavel_test_${label}_${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Tests close their apps often; the load-balancer drain pause is tested on its own.
    SHUTDOWN_DRAIN_MS: '0',
    // Every test signs its users up from 127.0.0.1; the signup limit has tests of its own.
    SIGNUPS_PER_ADDRESS: '1000000',
    // Tests fire hundreds of concurrent requests on purpose (the bid storm): the admission bound is
    // far above them, so it runs on every request but sheds nothing.
    ...UNSHED_ENV,
    // Most tests sign up in one call; test/http/phone-verification.test.ts drives the real flow with `required`.
    PHONE_VERIFICATION: 'off',
    // Photos land in a folder of this app's own.
    DATA_DIR: join(tmpdir(), `gavel-test-${label}-${randomBytes(4).toString('hex')}`),
    ...(options.readReplica ? { DATABASE_READ_URL: await options.readReplica(db.url) } : {}),
    ...env,
  });
  // The wiring of main/api.ts, on the test's own database.
  const deps = createAppDeps(
    await createInfrastructure(config, { process: 'api', logger: options.logger ?? createLogger(config.logLevel), orm: options.ownPool ? undefined : db.orm }),
  );
  const prefix = holdRedisPrefix(config);
  const api = await listen(deps, 0);
  const baseUrl = `http://127.0.0.1:${api.port}`;

  const request: TestApi['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(baseUrl + path, { method, headers, body });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, headers: response.headers, body: type.includes('json') && text ? JSON.parse(text) : text };
  };

  return {
    baseUrl,
    deps,
    db,
    api,
    request,
    async signup(overrides = {}) {
      const input = { phone: uniquePhone(), password: 'correct horse battery', nickname: `user${phoneCounter}`, ...overrides };
      const res = await request('POST', '/v1/auth/signup', { body: input });
      if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.user.id, phone: input.phone, password: input.password, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
    },
    async close() {
      await api.close(1000);
      await closeAppDeps(deps);
      await closeInfrastructure(deps, { keepOrm: !options.ownPool });
      try {
        // Once this app's connections are closed; the keys go with the last harness on the prefix.
        await prefix.release();
      } finally {
        await db.drop();
        await rm(config.photos.dataDir, { recursive: true, force: true });
      }
    },
  };
}
