import test from 'ava';
import { readFileSync } from 'node:fs';

/**
 * No Docker engine runs here, so the images are checked by reading their recipes: what each
 * must say for a small, non-root, production-only, health-checked image that hears SIGTERM.
 */
const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const instructions = (dockerfile: string) =>
  dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

for (const [file, entry] of [
  ['Dockerfile.api', 'main/api.ts'],
  ['Dockerfile.worker', 'main/worker.ts'],
] as const) {
  test(`${file}: multi-stage on an official Node 24 slim image`, (t) => {
    const froms = instructions(read(file)).filter((l) => l.startsWith('FROM '));
    t.true(froms.length >= 2, 'at least a dependency stage and a runtime stage');
    for (const from of froms) t.regex(from, /^FROM node:24(\.\d+)*-[a-z]+-slim\b/);
  });

  test(`${file}: production dependencies only, from the lockfile, without install scripts`, (t) => {
    const lines = instructions(read(file));
    const installs = lines.filter((l) => /\bnpm (ci|install)\b/.test(l));
    t.true(installs.length > 0);
    for (const install of installs) {
      t.regex(install, /npm ci\b/, 'npm ci, so the lockfile decides');
      t.regex(install, /--omit=dev\b/);
      t.regex(install, /--ignore-scripts\b/);
    }
    t.true(lines.some((l) => l.startsWith('COPY') && l.includes('package-lock.json')));
    t.false(lines.some((l) => /^COPY\s+(--\S+\s+)*\.\s/.test(l)), 'no COPY of the whole context (tests, .git, node_modules)');
    t.true(lines.some((l) => /^ENV .*NODE_ENV=production/.test(l)));
  });

  test(`${file}: runs as a non-root user`, (t) => {
    const users = instructions(read(file)).filter((l) => l.startsWith('USER '));
    t.true(users.length > 0);
    t.notRegex(users.at(-1)!, /^USER (root|0)(:|$)/);
  });

  test(`${file}: has a HEALTHCHECK`, (t) => {
    const health = instructions(read(file)).find((l) => l.startsWith('HEALTHCHECK '));
    t.truthy(health);
    t.regex(health!, /CMD /);
    if (file === 'Dockerfile.api') t.regex(health!, /\/health\/live/);
    else t.regex(health!, /WORKER_HEARTBEAT_FILE/);
  });

  test(`${file}: node is PID 1 and hears SIGTERM (exec-form CMD, STOPSIGNAL)`, (t) => {
    const lines = instructions(read(file));
    t.true(lines.includes('STOPSIGNAL SIGTERM'));
    const cmd = lines.filter((l) => l.startsWith('CMD ')).at(-1)!;
    // The tracing preload (main/tracing.ts) does nothing unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
    t.deepEqual(JSON.parse(cmd.slice(4)), ['node', '--import', './main/tracing.ts', entry], 'exec form straight to node, no npm or shell in between');
  });
}

test('.dockerignore keeps node_modules, tests and git history out of the build context', (t) => {
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
  for (const entry of ['node_modules', '.git', 'test']) t.true(ignored.includes(entry), entry);
});

test('docker-compose: PostgreSQL, Redis with noeviction and AOF, migrations, two APIs behind a proxy, two workers', (t) => {
  const compose = read('docker-compose.yml');
  const services = [...compose.matchAll(/^ {2}([a-z0-9-]+):/gm)].map((m) => m[1]);
  for (const service of ['postgres', 'redis', 'migrate', 'api-1', 'api-2', 'worker-1', 'worker-2', 'proxy']) t.true(services.includes(service), service);
  t.regex(compose, /maxmemory-policy", "noeviction"/);
  t.regex(compose, /appendonly", "yes"/);
  t.regex(compose, /node", "main\/migrate.ts"/);
  t.regex(compose, /service_completed_successfully/, 'APIs and workers wait for the migrations');
  t.regex(compose, /JWT_SECRET: \$\{JWT_SECRET:\?/, 'the secret comes from the environment, not the file');
  t.regex(compose, /METRICS_TOKEN: \$\{METRICS_TOKEN:\?/, 'so does the metrics token, which production requires');
});

test('the proxy does not buffer or compress the event stream', (t) => {
  const nginx = read('deploy/nginx.conf');
  const sse = nginx.slice(nginx.indexOf('/events'), nginx.indexOf('}', nginx.indexOf('/events')));
  t.regex(sse, /proxy_buffering off;/);
  t.regex(sse, /gzip off;/);
  t.regex(sse, /proxy_read_timeout/);
  t.regex(nginx, /server api-1:3000/);
  t.regex(nginx, /server api-2:3000/);
});

test('the proxy replaces X-Forwarded-For with the address it saw, and compose trusts exactly that one hop', (t) => {
  const nginx = read('deploy/nginx.conf');
  const settings = [...nginx.matchAll(/^\s*proxy_set_header\s+X-Forwarded-For\s+([^;]+);/gim)].map((m) => m[1]);
  t.true(settings.length > 0);
  t.deepEqual([...new Set(settings)], ['$remote_addr'], 'never $proxy_add_x_forwarded_for, which keeps what the client wrote');
  t.is(nginx.match(/proxy_pass /g)?.length, settings.length, 'every location that passes to the API sets it');
  const compose = read('docker-compose.yml');
  t.regex(compose, /^\s*TRUST_PROXY_HOPS: "1"$/m);
  t.notRegex(compose, /^\s*TRUST_PROXY: /m);
});

/** The location blocks of nginx.conf: the matcher after `location` and the block's text. */
const nginxLocations = (nginx: string) =>
  [...nginx.matchAll(/^\s*location\s+([^{]+?)\s*\{([\s\S]*?)^\s*\}/gm)].map((m) => ({ match: m[1]!, body: m[2]! }));

test('the proxy refuses /metrics from outside and lets /admin only through an allowlist', (t) => {
  const locations = nginxLocations(read('deploy/nginx.conf'));
  const regexOf = (match: string) => {
    const [, modifier, pattern] = /^(~\*?)\s+(.+)$/.exec(match) ?? [];
    return modifier ? new RegExp(pattern!, modifier === '~*' ? 'i' : '') : null;
  };
  // nginx: the first regex location that matches wins (no exact or ^~ location here outranks them).
  const chosen = (path: string) => locations.find((l) => regexOf(l.match)?.test(path)) ?? locations.find((l) => l.match === '/');
  for (const path of ['/metrics', '/METRICS', '/metrics/', '/Metrics/x']) {
    const location = chosen(path)!;
    t.regex(location.body, /return 404;|deny all;/, path);
    t.notRegex(location.body, /proxy_pass/, `${path} never reaches the API`);
  }
  for (const path of ['/admin/queues', '/ADMIN/queues', '/admin']) {
    const location = chosen(path)!;
    t.regex(location.body, /\ballow\s+\S+;[\s\S]*deny all;/, `${path}: an allowlist, then everyone else refused`);
  }
  t.regex(chosen('/v1/listings')!.body, /proxy_pass/);
});

test('the proxy lets photo uploads through up to UPLOAD_MAX_BYTES, JSON bodies only up to a small limit', async (t) => {
  const { loadConfig } = await import('../../infra/config.ts');
  const uploadMax = loadConfig({ NODE_ENV: 'development' }).photos.upload.maxBytes;
  const locations = nginxLocations(read('deploy/nginx.conf'));
  const bytes = (size: string) => {
    const [, n, unit] = /^(\d+)([kmg]?)$/i.exec(size)!;
    return Number(n) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  };
  const limitOf = (body: string) => bytes(/client_max_body_size\s+(\S+);/.exec(body)?.[1] ?? '1m');
  const upload = locations.find((l) => l.match.startsWith('~') && new RegExp(l.match.replace(/^~\*?\s+/, '')).test('/v1/uploads/0190a0b0-0000-7000-8000-00000000f022/content'));
  t.truthy(upload, 'a location for the upload content');
  t.is(limitOf(upload!.body), uploadMax, 'exactly the API\'s own limit, so the API answers the oversize case');
  t.true(limitOf(locations.find((l) => l.match === '/')!.body) < uploadMax);
});
