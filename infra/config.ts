import { createHmac } from 'node:crypto';
import { z } from 'zod';

/**
 * The only module that reads `process.env`. Everything else receives a `Config`.
 * Invalid settings stop the process at start with one message naming every bad variable.
 */
const DEV_JWT_SECRET = 'gavel-development-secret-do-not-use-in-production';

/** Digits only: `z.coerce.number()` would read " " as 0 and "0x10" as 16. */
const anyWholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const wholeNumber = (min: number, max: number, fallback: number) => anyWholeNumber(min, max).default(fallback);

/** "https://a.example,http://localhost:5173": each entry exactly a URL origin (scheme, host, port; no path or slash). */
const origins = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
  .refine((list) => list.every(isWebOrigin), 'must be comma-separated origins such as https://shop.example (no path, no trailing slash)');

function isWebOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry;
  } catch {
    return false;
  }
}

/**
 * Redis Cluster seeds: `host:port` each, or a `redis://`/`rediss://` URL whose user, password and
 * TLS (rediss) apply to every node (ElastiCache/MemoryDB with AUTH and in-transit encryption).
 */
const clusterSeed = /^(?:(rediss?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?)?([a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\/?$/;
const clusterNodes = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
  .refine((list) => list.length > 0 && list.every((entry) => clusterSeed.test(entry) && Number(clusterSeed.exec(entry)![5]) <= 65535), 'must be comma-separated host:port seeds (or redis:// / rediss:// URLs) of a Redis Cluster')
  .transform((list) => {
    const parsed = list.map((entry) => clusterSeed.exec(entry)!);
    const first = parsed[0]!;
    return {
      nodes: parsed.map((m) => ({ host: m[4]!.replace(/^\[|\]$/g, ''), port: Number(m[5]) })),
      tls: first[1] === 'rediss',
      username: first[2] ? decodeURIComponent(first[2]) : undefined,
      password: first[3] ? decodeURIComponent(first[3]) : undefined,
    };
  });

const seconds = (fallback: number) => wholeNumber(0, 10 * 365 * 86_400, fallback);

const TRACING_SETTINGS = {
  // OTLP over HTTP; the traces go to `<endpoint>/v1/traces`. Unset: no tracing at all.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
};

/** Runs even when other variables are bad too, so one start names every problem at once. */
const ALWAYS = { when: () => true };

const settings = z.object({
    NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
    PORT: wholeNumber(0, 65535, 3000),
    API_PROCESSES: anyWholeNumber(1, 256).optional(),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/gavel'),
    DATABASE_READ_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATABASE_POOL_MAX: wholeNumber(1, 200, 10),
    DATABASE_ACQUIRE_TIMEOUT_MS: wholeNumber(0, 600_000, 1000),
    READINESS_TIMEOUT_MS: wholeNumber(100, 60_000, 2000),
    API_MAX_IN_FLIGHT: wholeNumber(0, 100_000, 32),
    API_MAX_QUEUED: wholeNumber(0, 100_000, 64),
    API_QUEUE_TIMEOUT_MS: wholeNumber(0, 60_000, 20),
    API_MAX_EVENT_LOOP_DELAY_MS: wholeNumber(0, 60_000, 30),
    DEPENDENCY_RETRY_AFTER_S: wholeNumber(1, 3600, 2),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    REDIS_CLUSTER_NODES: clusterNodes.optional(),
    REDIS_KEY_PREFIX: z.string().regex(/^[a-zA-Z0-9_.-]+$/).default('gavel'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_ACCESS_TTL_S: wholeNumber(30, 86_400, 900),
    CALLER_CACHE_TTL_MS: wholeNumber(0, 3_600_000, 60_000),
    CALLER_CACHE_MAX: wholeNumber(1, 10_000_000, 100_000),
    REFRESH_TOKEN_TTL_S: wholeNumber(60, 365 * 86_400, 30 * 86_400),
    SNS_ENDPOINT: z.url().optional(),
    SMS_SENDER: z.enum(['sns', 'log']).optional(),
    AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as ap-northeast-2').default('ap-northeast-2'),
    ENDING_SOON_NOTICE_S: seconds(600),
    SWEEP_INTERVAL_S: wholeNumber(1, 3600, 15),
    WORKER_CONCURRENCY: wholeNumber(1, 200, 10),
    JOB_LOCK_MS: wholeNumber(1000, 600_000, 30_000),
    WORKER_METRICS_PORT: wholeNumber(0, 65535, 0),
    SHUTDOWN_DRAIN_MS: wholeNumber(0, 60_000, 2000),
    WORKER_HEARTBEAT_FILE: z.string().startsWith('/', 'must be an absolute path').optional(),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    CORS_ORIGINS: origins.optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name').optional(),
    S3_ENDPOINT: z.url().optional(),
    S3_PUBLIC_URL: z.url().optional(),
    UPLOAD_RATE_LIMIT_PER_HOUR: wholeNumber(1, 1_000_000, 100),
    UPLOAD_MAX_BYTES: wholeNumber(1, 100 * 1024 * 1024, 10 * 1024 * 1024),
    PHOTO_MAX_PIXELS: wholeNumber(1, 500_000_000, 40_000_000),
    UPLOAD_IDLE_TIMEOUT_S: wholeNumber(1, 600, 10),
    UPLOAD_MIN_BYTES_PER_S: wholeNumber(1, 100 * 1024 * 1024, 4096),
    UPLOAD_MAX_CONCURRENT_PER_USER: wholeNumber(1, 1000, 10),
    SSE_MAX_STREAMS_PER_ADDRESS: wholeNumber(1, 100_000, 20),
    SSE_HEARTBEAT_S: wholeNumber(1, 15, 15),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: z.stringbool().optional(),
    // How many proxies of our own stand in front (each appends to X-Forwarded-For); what is left of
    // them was written by the client and is never believed.
    TRUST_PROXY_HOPS: anyWholeNumber(0, 10).optional(),
    BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i).default('100kb'),
    AUCTION_MIN_DURATION_S: seconds(60),
    // At least a minute, at most a year: longer is no auction, and every end stays a showable time.
    AUCTION_MAX_DURATION_S: wholeNumber(60, 365 * 86_400, 30 * 86_400),
    SOFT_CLOSE_WINDOW_S: seconds(60),
    SOFT_CLOSE_MAX_EXTENSION_S: seconds(1800),
    BID_RATE_LIMIT_PER_MIN: wholeNumber(1, 1_000_000, 60),
    BID_LOCK_QUEUE: wholeNumber(0, 1000, 2),
    AUCTION_CANCEL_CUTOFF_S: seconds(43_200),
    OFFER_TTL_S: wholeNumber(60, 30 * 86_400, 172_800),
    CHAT_MESSAGES_PER_MIN: wholeNumber(1, 100_000, 30),
    TRADE_MAX_OPEN_PER_BUYER: wholeNumber(1, 10_000, 5),
    TRADE_PENDING_TTL_S: wholeNumber(1, 90 * 86_400, 259_200),
    REVIEW_EDIT_WINDOW_S: wholeNumber(0, 365 * 86_400, 259_200),
    KEYWORD_ALERTS_PER_USER: wholeNumber(1, 1000, 30),
    LOGIN_FAILURES_PER_PHONE: wholeNumber(1, 1000, 5),
    LOGIN_FAILURES_PER_ADDRESS: wholeNumber(1, 100_000, 50),
    LOGIN_WINDOW_S: wholeNumber(1, 86_400, 900),
    SIGNUPS_PER_ADDRESS: wholeNumber(1, 1_000_000, 10),
    SIGNUP_WINDOW_S: wholeNumber(1, 86_400, 3600),
    RATE_LIMIT_KEY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    REQUEST_TIMEOUT_MS: wholeNumber(100, 600_000, 15_000),
    // Sent by Prometheus as a bearer token, so only token68 characters.
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').regex(/^[A-Za-z0-9._~+/=-]+$/, 'must be letters, digits and ._~+/=- only').optional(),
    ...TRACING_SETTINGS,
    PHONE_VERIFICATION: z.enum(['required', 'off']).default('required'),
    PHONE_VERIFICATION_CODE_TTL_S: wholeNumber(30, 3600, 300),
    PHONE_VERIFICATION_MAX_ATTEMPTS: wholeNumber(1, 20, 5),
    PHONE_VERIFICATION_TOKEN_TTL_S: wholeNumber(60, 86_400, 1800),
    PHONE_VERIFICATION_SENDS_PER_PHONE: wholeNumber(1, 1000, 5),
    PHONE_VERIFICATION_SENDS_PER_ADDRESS: wholeNumber(1, 100_000, 20),
    PHONE_VERIFICATION_WINDOW_S: wholeNumber(1, 86_400, 3600),
  })
  // The development secret is public: it signs tokens only where someone said NODE_ENV=development,
  // never because NODE_ENV was forgotten or says test.
  .refine((env) => env.NODE_ENV === 'development' || env.JWT_SECRET, { ...ALWAYS, path: ['JWT_SECRET'], message: 'is required unless NODE_ENV=development' })
  .refine((env) => env.NODE_ENV !== 'production' || env.JWT_SECRET !== DEV_JWT_SECRET, {
    ...ALWAYS,
    path: ['JWT_SECRET'],
    message: 'must not be the development default when NODE_ENV=production',
  });

export interface TracingSettings {
  /** OTLP/HTTP receiver (collector) base URL. */
  endpoint: string;
  /** `service.name` of the spans; by default `gavel-<entry point>` (`gavel-api`, `gavel-worker`, `gavel-all`). */
  serviceName: string | undefined;
}

const tracingOf = (env: { OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined; OTEL_SERVICE_NAME?: string | undefined }): TracingSettings | null =>
  env.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, ''), serviceName: env.OTEL_SERVICE_NAME } : null;

const tracingSettingsSchema = z.object(TRACING_SETTINGS);

/**
 * Only the tracing settings, for the `--import` preload (`main/tracing.ts`), which must decide
 * before the application is loaded and leaves every other setting to `loadConfig`. A bad value
 * means no tracing here; `loadConfig` then stops the process naming it.
 */
export function loadTracingSettings(source: Record<string, string | undefined> = process.env): TracingSettings | null {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = tracingSettingsSchema.safeParse(present);
  return parsed.success ? tracingOf(parsed.data) : null;
}

/** Every setting the service reads, by name (the README's Configuration table and .env.example list them all). */
export const SETTING_NAMES = Object.keys(settings.shape);

const schema = settings
  .refine((env) => !(env.TRUST_PROXY === false && typeof env.TRUST_PROXY_HOPS === 'number' && env.TRUST_PROXY_HOPS > 0), {
    ...ALWAYS,
    path: ['TRUST_PROXY_HOPS'],
    message: 'contradicts TRUST_PROXY=false',
  })
  .refine((env) => env.NODE_ENV !== 'production' || env.METRICS_TOKEN, { ...ALWAYS, path: ['METRICS_TOKEN'], message: 'is required when NODE_ENV=production (/metrics is not for the public)' })
  .refine((env) => env.NODE_ENV !== 'production' || env.PHONE_VERIFICATION !== 'off', {
    ...ALWAYS,
    path: ['PHONE_VERIFICATION'],
    message: 'must not be off when NODE_ENV=production',
  })
  // Under ALWAYS a bad duration arrives here unparsed; that one is reported by its own check.
  .refine((env) => typeof env.AUCTION_MAX_DURATION_S !== 'number' || typeof env.AUCTION_MIN_DURATION_S !== 'number' || env.AUCTION_MAX_DURATION_S >= env.AUCTION_MIN_DURATION_S, {
    ...ALWAYS,
    path: ['AUCTION_MAX_DURATION_S'],
    message: 'must not be below AUCTION_MIN_DURATION_S',
  })
  .transform((env) => {
    return {
      env: env.NODE_ENV ?? 'development',
      port: env.PORT,
      /** API processes `npm start` runs (undefined: one per core); `start:api` is always one. */
      apiProcesses: env.API_PROCESSES,
      databaseUrl: env.DATABASE_URL,
      /** A streaming replica for the reads that may lag (search, bid history, profiles); null: the primary serves them. */
      databaseReadUrl: env.DATABASE_READ_URL ?? null,
      databasePoolMax: env.DATABASE_POOL_MAX,
      /** A request waiting longer than this for a pooled connection is answered 503 (0: wait forever). */
      databaseAcquireTimeoutMs: env.DATABASE_ACQUIRE_TIMEOUT_MS,
      /** Budget of each readiness check; it has a PostgreSQL connection of its own. */
      readinessTimeoutMs: env.READINESS_TIMEOUT_MS,
      /** Load shedding of one API process; 0 turns a bound off. */
      admission: {
        maxInFlight: env.API_MAX_IN_FLIGHT,
        maxQueued: env.API_MAX_QUEUED,
        queueTimeoutMs: env.API_QUEUE_TIMEOUT_MS,
        maxEventLoopDelayMs: env.API_MAX_EVENT_LOOP_DELAY_MS,
      },
      /** `Retry-After` of a 503 given while PostgreSQL or Redis is unreachable. */
      dependencyRetryAfterS: env.DEPENDENCY_RETRY_AFTER_S,
      redisUrl: env.REDIS_URL,
      /** When set, every Redis connection is a Redis Cluster client over these seeds, and REDIS_URL is not used. */
      redisCluster: env.REDIS_CLUSTER_NODES ?? null,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      jwt: {
        secret: env.JWT_SECRET ?? DEV_JWT_SECRET,
        accessTtlS: env.JWT_ACCESS_TTL_S,
        issuer: 'gavel',
        audience: 'gavel-api',
      },
      refreshTokenTtlS: env.REFRESH_TOKEN_TTL_S,
      /** Copies of callers' role and suspension per API process, forgotten on PostgreSQL's NOTIFY (0: off). */
      callerCache: { ttlMs: env.CALLER_CACHE_TTL_MS, maxEntries: env.CALLER_CACHE_MAX },
      login: { perPhone: env.LOGIN_FAILURES_PER_PHONE, perAddress: env.LOGIN_FAILURES_PER_ADDRESS, windowS: env.LOGIN_WINDOW_S },
      signup: { perAddress: env.SIGNUPS_PER_ADDRESS, windowS: env.SIGNUP_WINDOW_S },
      /** Keys the per-auction bidder pseudonyms of bid histories (`domain/auctions/bidder-pseudonym.ts`). */
      pseudonymSecret: createHmac('sha256', env.JWT_SECRET ?? DEV_JWT_SECRET).update('gavel bidder pseudonyms').digest('base64url'),
      /**
       * Keys phone numbers and addresses are counted under in Redis: an HMAC with this, so a copy of
       * Redis cannot be matched against the ~10^8 Korean mobile numbers. Derived from the JWT secret
       * unless set.
       */
      rateLimitKeySecret: env.RATE_LIMIT_KEY_SECRET ?? createHmac('sha256', env.JWT_SECRET ?? DEV_JWT_SECRET).update('gavel rate-limit keys').digest('base64url'),
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      /** When set, `/metrics` (the API's and a worker's) answers only `Authorization: Bearer <this>`. */
      metricsToken: env.METRICS_TOKEN ?? null,
      tracing: tracingOf(env),
      phoneVerification: {
        required: env.PHONE_VERIFICATION === 'required',
        codeTtlS: env.PHONE_VERIFICATION_CODE_TTL_S,
        maxAttempts: env.PHONE_VERIFICATION_MAX_ATTEMPTS,
        tokenTtlS: env.PHONE_VERIFICATION_TOKEN_TTL_S,
        sendsPerPhone: env.PHONE_VERIFICATION_SENDS_PER_PHONE,
        sendsPerAddress: env.PHONE_VERIFICATION_SENDS_PER_ADDRESS,
        windowS: env.PHONE_VERIFICATION_WINDOW_S,
      },
      sms: {
        // A development machine has no AWS account: SMS texts go to the log there unless asked otherwise.
        sender: env.SMS_SENDER ?? ((env.NODE_ENV ?? 'development') === 'development' ? 'log' : 'sns'),
        endpoint: env.SNS_ENDPOINT,
        region: env.AWS_REGION,
      },
      workers: {
        endingSoonNoticeS: env.ENDING_SOON_NOTICE_S,
        sweepIntervalS: env.SWEEP_INTERVAL_S,
        concurrency: env.WORKER_CONCURRENCY,
        jobLockMs: env.JOB_LOCK_MS,
        heartbeatFile: env.WORKER_HEARTBEAT_FILE,
        /** 0: no metrics listener (a worker inside `npm start` shares the API's /metrics). */
        metricsPort: env.WORKER_METRICS_PORT,
      },
      logLevel: env.LOG_LEVEL,
      bodyLimit: env.BODY_LIMIT,
      /**
       * Proxies of ours in front of the API: the client address is the one the outermost of them saw
       * (Koa's `maxIpsCount`). `TRUST_PROXY=true` alone means one (the nginx of docker-compose).
       */
      trustProxyHops: env.TRUST_PROXY_HOPS ?? (env.TRUST_PROXY ? 1 : 0),
      /** After SIGTERM, keep serving (reporting not-ready) this long so load balancers move away. */
      shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
      /** Browser origins allowed to call the API cross-origin (`api/middleware/cors.ts`); none by default. */
      corsOrigins: env.CORS_ORIGINS ?? [],
      photos: {
        /** Object storage: S3 when a bucket is named, else files under DATA_DIR served by the API. */
        s3: env.S3_BUCKET ? { bucket: env.S3_BUCKET, region: env.AWS_REGION, endpoint: env.S3_ENDPOINT, publicUrl: env.S3_PUBLIC_URL } : null,
        dataDir: env.DATA_DIR,
        /** Absolute base URL clients reach the API at; without it, local upload and media URLs are relative. */
        publicUrl: env.PUBLIC_URL ?? '',
        upload: {
          maxBytes: env.UPLOAD_MAX_BYTES,
          expiresInS: 15 * 60,
          perHour: env.UPLOAD_RATE_LIMIT_PER_HOUR,
          /** Bytes of a local upload's body: none for this long, or fewer than the rate after it, and the connection is cut (408). */
          pace: { idleTimeoutS: env.UPLOAD_IDLE_TIMEOUT_S, minBytesPerS: env.UPLOAD_MIN_BYTES_PER_S },
          maxConcurrentPerUser: env.UPLOAD_MAX_CONCURRENT_PER_USER,
        },
        images: { maxPixels: env.PHOTO_MAX_PIXELS, displaySize: 1600, thumbnailSize: 320 },
      },
      sse: {
        maxStreamsPerAddress: env.SSE_MAX_STREAMS_PER_ADDRESS,
        heartbeatMs: env.SSE_HEARTBEAT_S * 1000,
        retryMs: 2000,
        maxBufferedBytes: 256 * 1024,
      },
      chat: { messagesPerMin: env.CHAT_MESSAGES_PER_MIN },
      auctions: {
        minDurationS: env.AUCTION_MIN_DURATION_S,
        maxDurationS: env.AUCTION_MAX_DURATION_S,
        softCloseWindowS: env.SOFT_CLOSE_WINDOW_S,
        softCloseMaxExtensionS: env.SOFT_CLOSE_MAX_EXTENSION_S,
        bidRateLimitPerMin: env.BID_RATE_LIMIT_PER_MIN,
        /** Bids per auction per API process let go for its row lock at once (0: no bound). */
        bidLockQueue: env.BID_LOCK_QUEUE,
        cancelCutoffS: env.AUCTION_CANCEL_CUTOFF_S,
        offerTtlS: env.OFFER_TTL_S,
      },
      trades: {
        /** Pending fixed-price trades one buyer may hold at once (each keeps a listing reserved). */
        maxOpenPerBuyer: env.TRADE_MAX_OPEN_PER_BUYER,
        /** A pending fixed-price trade not completed this long after the purchase expires; the listing goes back on sale. */
        pendingTtlS: env.TRADE_PENDING_TTL_S,
      },
      /** A review may be changed by its author this long after it was written (0: never). */
      reviews: { editWindowS: env.REVIEW_EDIT_WINDOW_S },
      keywordAlerts: { maxPerUser: env.KEYWORD_ALERTS_PER_USER },
    };
  });

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most deployment tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
