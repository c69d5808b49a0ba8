import test, { type ExecutionContext } from 'ava';
import { ConfigError, loadConfig } from '../../infra/config.ts';

const SECRET = 'a-production-secret-that-is-long-enough-1234';

const configError = (t: ExecutionContext, env: Record<string, string | undefined>) => {
  const error = t.throws(() => loadConfig(env), { instanceOf: ConfigError });
  return error?.message ?? '';
};

test('defaults follow the contract', (t) => {
  const config = loadConfig({ NODE_ENV: 'development' });
  t.is(config.env, 'development');
  t.is(config.port, 3000);
  t.is(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/gavel');
  t.is(config.redisUrl, 'redis://127.0.0.1:6379');
  t.is(config.bodyLimit, '100kb');
  t.is(config.auctions.softCloseWindowS, 60);
  t.is(config.auctions.minDurationS, 60);
  t.is(config.auctions.maxDurationS, 30 * 86_400);
  t.is(config.auctions.bidRateLimitPerMin, 60);
  t.true(config.auctions.softCloseMaxExtensionS > 0);
  t.is(config.trustProxyHops, 0);
  t.is(config.sms.endpoint, undefined);
});

test('loadConfig reads nothing but the object it is given', (t) => {
  const saved = process.env.PORT;
  process.env.PORT = '4321';
  try {
    t.is(loadConfig({ NODE_ENV: 'development' }).port, 3000);
  } finally {
    if (saved === undefined) delete process.env.PORT;
    else process.env.PORT = saved;
  }
});

test('settings are read from the environment', (t) => {
  const config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: SECRET,
    METRICS_TOKEN: 'scrape-token-0123456789',
    PORT: '8080',
    DATABASE_URL: 'postgresql://gavel:pw@db.internal:6432/gavel?sslmode=require',
    REDIS_URL: 'rediss://:pw@cache.internal:6380/2',
    SNS_ENDPOINT: 'http://localhost:4566',
    LOG_LEVEL: 'warn',
    AUCTION_MIN_DURATION_S: '300',
    AUCTION_MAX_DURATION_S: '86400',
    SOFT_CLOSE_WINDOW_S: '0',
    SOFT_CLOSE_MAX_EXTENSION_S: '600',
    BID_RATE_LIMIT_PER_MIN: '10',
    TRUST_PROXY: 'true',
  });
  t.is(config.env, 'production');
  t.is(config.port, 8080);
  t.is(config.jwt.secret, SECRET);
  t.is(config.databaseUrl, 'postgresql://gavel:pw@db.internal:6432/gavel?sslmode=require');
  t.is(config.redisUrl, 'rediss://:pw@cache.internal:6380/2');
  t.is(config.sms.endpoint, 'http://localhost:4566');
  t.is(config.logLevel, 'warn');
  t.deepEqual(config.auctions, { minDurationS: 300, maxDurationS: 86_400, softCloseWindowS: 0, softCloseMaxExtensionS: 600, bidRateLimitPerMin: 10, bidLockQueue: 2, cancelCutoffS: 43_200, offerTtlS: 172_800 });
  t.is(config.trustProxyHops, 1, 'TRUST_PROXY=true is one proxy of ours (nginx)');
});

test('the default URLs are accepted when given explicitly', (t) => {
  const config = loadConfig({ NODE_ENV: 'development', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/gavel', REDIS_URL: 'redis://127.0.0.1:6379' });
  t.is(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/gavel');
  t.is(config.redisUrl, 'redis://127.0.0.1:6379');
});

test('production refuses to start without METRICS_TOKEN; a token must be a long bearer token', (t) => {
  t.regex(configError(t, { NODE_ENV: 'production', JWT_SECRET: SECRET }), /METRICS_TOKEN: is required when NODE_ENV=production/);
  t.is(loadConfig({ NODE_ENV: 'development' }).metricsToken, null, 'outside production it may be left open');
  t.is(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, METRICS_TOKEN: 'scrape-token-0123456789' }).metricsToken, 'scrape-token-0123456789');
  t.regex(configError(t, { NODE_ENV: 'development', METRICS_TOKEN: 'short' }), /METRICS_TOKEN/);
  t.regex(configError(t, { NODE_ENV: 'development', METRICS_TOKEN: 'has spaces in it, sixteen+' }), /METRICS_TOKEN/);
});

test('production without JWT_SECRET fails naming JWT_SECRET', (t) => {
  t.regex(configError(t, { NODE_ENV: 'production' }), /JWT_SECRET/);
  t.regex(configError(t, { NODE_ENV: 'production', JWT_SECRET: '' }), /JWT_SECRET/);
});

test('production refuses the development secret', (t) => {
  const dev = loadConfig({ NODE_ENV: 'development' }).jwt.secret;
  t.regex(configError(t, { NODE_ENV: 'production', JWT_SECRET: dev }), /JWT_SECRET/);
});

test('the development secret signs tokens only when NODE_ENV=development is said', (t) => {
  const dev = loadConfig({ NODE_ENV: 'development' }).jwt.secret;
  t.true(dev.length >= 32);
  t.regex(configError(t, {}), /JWT_SECRET: is required unless NODE_ENV=development/, 'not when NODE_ENV is forgotten');
  t.regex(configError(t, { NODE_ENV: 'test' }), /JWT_SECRET: is required unless NODE_ENV=development/, 'not under test either');
  t.is(loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET }).jwt.secret, SECRET);
  t.is(loadConfig({ JWT_SECRET: SECRET }).env, 'development', 'NODE_ENV still defaults to development for everything else');
  t.is(loadConfig({ NODE_ENV: 'development', JWT_SECRET: SECRET }).jwt.secret, SECRET);
  t.is(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, METRICS_TOKEN: 'scrape-token-0123456789' }).jwt.secret, SECRET);
});

test('a JWT_SECRET that is too short is refused', (t) => {
  t.regex(configError(t, { JWT_SECRET: 'short' }), /JWT_SECRET/);
});

test('a bad PORT and a bad DATABASE_URL are both named in one error', (t) => {
  const message = configError(t, { PORT: 'eighty', DATABASE_URL: 'mysql://root@localhost/gavel' });
  t.regex(message, /PORT/);
  t.regex(message, /DATABASE_URL/);
});

test('every bad variable is named at once, also the production secret', (t) => {
  const message = configError(t, { NODE_ENV: 'production', PORT: '99999', REDIS_URL: 'http://cache', LOG_LEVEL: 'loud' });
  for (const name of ['PORT', 'REDIS_URL', 'LOG_LEVEL', 'JWT_SECRET', 'METRICS_TOKEN']) t.regex(message, new RegExp(name));
});

test('the error names a bad URL without echoing its password', (t) => {
  const message = configError(t, { DATABASE_URL: 'mysql://root:hunter2@localhost/gavel' });
  t.regex(message, /DATABASE_URL/);
  t.false(message.includes('hunter2'));
});

test('empty strings count as unset', (t) => {
  const config = loadConfig({ NODE_ENV: 'development', PORT: '', DATABASE_URL: '', REDIS_URL: '', JWT_SECRET: '', SOFT_CLOSE_WINDOW_S: '', BID_RATE_LIMIT_PER_MIN: '', LOG_LEVEL: '' });
  t.is(config.port, 3000);
  t.is(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/gavel');
  t.is(config.redisUrl, 'redis://127.0.0.1:6379');
  t.is(config.jwt.secret, loadConfig({ NODE_ENV: 'development' }).jwt.secret);
  t.is(config.auctions.softCloseWindowS, 60);
  t.is(config.auctions.bidRateLimitPerMin, 60);
  t.is(config.logLevel, 'info');
});

for (const port of ['-1', '65536', '80.5', 'abc', ' ', '0x50', '1e3', '3000abc']) {
  test(`PORT=${JSON.stringify(port)} is refused`, (t) => {
    t.regex(configError(t, { PORT: port }), /PORT/);
  });
}

test('numbers must be whole and in range', (t) => {
  t.regex(configError(t, { BID_RATE_LIMIT_PER_MIN: '0' }), /BID_RATE_LIMIT_PER_MIN/);
  t.regex(configError(t, { SOFT_CLOSE_WINDOW_S: '-5' }), /SOFT_CLOSE_WINDOW_S/);
  t.regex(configError(t, { AUCTION_MIN_DURATION_S: '1.5' }), /AUCTION_MIN_DURATION_S/);
  t.regex(configError(t, { JWT_ACCESS_TTL_S: '5' }), /JWT_ACCESS_TTL_S/);
  t.is(loadConfig({ NODE_ENV: 'development', PORT: '0' }).port, 0);
});

test('AUCTION_MAX_DURATION_S is whole seconds from a minute to a year, and never below AUCTION_MIN_DURATION_S', (t) => {
  for (const bad of ['59', '31536001', '1.5', 'a month']) t.regex(configError(t, { AUCTION_MAX_DURATION_S: bad }), /AUCTION_MAX_DURATION_S/);
  t.is(loadConfig({ NODE_ENV: 'development', AUCTION_MAX_DURATION_S: '31536000' }).auctions.maxDurationS, 365 * 86_400);
  t.is(loadConfig({ NODE_ENV: 'development', AUCTION_MIN_DURATION_S: '3600', AUCTION_MAX_DURATION_S: '3600' }).auctions.maxDurationS, 3600);
  const message = configError(t, { AUCTION_MIN_DURATION_S: '7200', AUCTION_MAX_DURATION_S: '3600' });
  t.regex(message, /AUCTION_MAX_DURATION_S: must not be below AUCTION_MIN_DURATION_S/);
  t.notRegex(configError(t, { AUCTION_MIN_DURATION_S: 'soon' }), /AUCTION_MAX_DURATION_S/, 'one bad variable is one complaint');
  // Named together with other bad variables, not after they are fixed.
  t.regex(configError(t, { AUCTION_MIN_DURATION_S: '7200', AUCTION_MAX_DURATION_S: '3600', PORT: 'x' }), /PORT[\s\S]*AUCTION_MAX_DURATION_S|AUCTION_MAX_DURATION_S[\s\S]*PORT/);
});

test('NODE_ENV, LOG_LEVEL, BODY_LIMIT and TRUST_PROXY accept only known values', (t) => {
  t.regex(configError(t, { NODE_ENV: 'prod' }), /NODE_ENV/);
  t.regex(configError(t, { LOG_LEVEL: 'verbose' }), /LOG_LEVEL/);
  t.regex(configError(t, { BODY_LIMIT: 'lots' }), /BODY_LIMIT/);
  t.regex(configError(t, { TRUST_PROXY: 'maybe' }), /TRUST_PROXY/);
  t.is(loadConfig({ NODE_ENV: 'development', BODY_LIMIT: '1mb' }).bodyLimit, '1mb');
  t.is(loadConfig({ NODE_ENV: 'development', TRUST_PROXY: 'false' }).trustProxyHops, 0);
});

test('TRUST_PROXY_HOPS counts the proxies of ours; it wins over TRUST_PROXY=true and must not contradict false', (t) => {
  t.is(loadConfig({ NODE_ENV: 'development', TRUST_PROXY_HOPS: '2' }).trustProxyHops, 2);
  t.is(loadConfig({ NODE_ENV: 'development', TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2' }).trustProxyHops, 2);
  t.is(loadConfig({ NODE_ENV: 'development', TRUST_PROXY_HOPS: '0' }).trustProxyHops, 0);
  t.regex(configError(t, { TRUST_PROXY_HOPS: 'all' }), /TRUST_PROXY_HOPS/);
  t.regex(configError(t, { TRUST_PROXY_HOPS: '11' }), /TRUST_PROXY_HOPS/);
  t.regex(configError(t, { TRUST_PROXY: 'false', TRUST_PROXY_HOPS: '1' }), /TRUST_PROXY_HOPS: contradicts TRUST_PROXY=false/);
});

test('REDIS_URL must be redis or rediss, DATABASE_URL postgres or postgresql', (t) => {
  t.regex(configError(t, { REDIS_URL: 'http://127.0.0.1:6379' }), /REDIS_URL/);
  t.regex(configError(t, { REDIS_URL: 'not a url' }), /REDIS_URL/);
  t.regex(configError(t, { DATABASE_URL: 'not a url' }), /DATABASE_URL/);
  t.is(loadConfig({ NODE_ENV: 'development', DATABASE_URL: 'postgresql://u@h/db' }).databaseUrl, 'postgresql://u@h/db');
});

test('phone verification is required by default and may be turned off only outside production', (t) => {
  t.true(loadConfig({ NODE_ENV: 'development' }).phoneVerification.required);
  t.false(loadConfig({ NODE_ENV: 'development', PHONE_VERIFICATION: 'off' }).phoneVerification.required);
  t.false(loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, PHONE_VERIFICATION: 'off' }).phoneVerification.required);
  t.true(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, METRICS_TOKEN: 'scrape-token-0123456789' }).phoneVerification.required);
  t.regex(configError(t, { NODE_ENV: 'production', JWT_SECRET: SECRET, PHONE_VERIFICATION: 'off' }), /PHONE_VERIFICATION: must not be off when NODE_ENV=production/);
  t.regex(configError(t, { PHONE_VERIFICATION: 'maybe' }), /PHONE_VERIFICATION/);
  t.like(loadConfig({ NODE_ENV: 'development' }).phoneVerification, { codeTtlS: 300, maxAttempts: 5, sendsPerPhone: 5, sendsPerAddress: 20, windowS: 3600 });
  t.regex(configError(t, { PHONE_VERIFICATION_CODE_TTL_S: '5' }), /PHONE_VERIFICATION_CODE_TTL_S/);
});

test('REDIS_CLUSTER_NODES: host:port seeds, or rediss:// URLs whose TLS and credentials apply to every node; unset is a single Redis', (t) => {
  t.is(loadConfig({ NODE_ENV: 'development' }).redisCluster, null);
  t.deepEqual(loadConfig({ NODE_ENV: 'development', REDIS_CLUSTER_NODES: '10.0.1.10:6379, 10.0.2.10:6380' }).redisCluster, {
    nodes: [{ host: '10.0.1.10', port: 6379 }, { host: '10.0.2.10', port: 6380 }],
    tls: false,
    username: undefined,
    password: undefined,
  });
  t.deepEqual(loadConfig({ NODE_ENV: 'development', REDIS_CLUSTER_NODES: 'rediss://gavel:s%40cret@clustercfg.gavel.cache.amazonaws.com:6379' }).redisCluster, {
    nodes: [{ host: 'clustercfg.gavel.cache.amazonaws.com', port: 6379 }],
    tls: true,
    username: 'gavel',
    password: 's@cret',
  });
  for (const bad of ['cache.internal', 'http://cache:6379', '10.0.0.1:99999', ',', 'rediss://u:hunter2@cache:port']) {
    const message = configError(t, { REDIS_CLUSTER_NODES: bad });
    t.regex(message, /REDIS_CLUSTER_NODES/, bad);
    t.false(message.includes('hunter2'));
  }
});

test('DATABASE_READ_URL is optional and must be a PostgreSQL URL', (t) => {
  t.is(loadConfig({ NODE_ENV: 'development' }).databaseReadUrl, null);
  t.is(loadConfig({ NODE_ENV: 'development', DATABASE_READ_URL: 'postgres://u@replica/db' }).databaseReadUrl, 'postgres://u@replica/db');
  t.regex(configError(t, { DATABASE_READ_URL: 'mysql://u@replica/db' }), /DATABASE_READ_URL/);
});
