import test from 'ava';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { loadTracingSettings } from '../../infra/config.ts';
import { startApiProcess, type ApiProcess } from '../support/api-process.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { createTestAuction } from '../support/listings.ts';
import { killWorkerProcesses, spawnWorkerProcess, stopWorkerProcess } from '../support/worker-process.ts';
import { waitFor } from '../support/workers.ts';

/**
 * Tracing end to end: an API process and a worker process started as production starts them (with
 * the main/tracing.ts preload), exporting OTLP/HTTP (JSON) to a receiver this test runs.
 */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: (Omit<ReceivedSpan, 'service' | 'attributes'> & { attributes?: OtlpAttribute[] })[] }[];
  }[];
}

const attributesOf = (list: OtlpAttribute[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.boolValue]));

function startReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as OtlpExport;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) spans.push({ ...span, service, attributes: attributesOf(span.attributes) });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, spans, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const PRELOAD = `--import=${new URL('../../main/tracing.ts', import.meta.url).href}`;

let app: TestApi;
test.before(async () => {
  app = await startTestApi('tracing');
});
test.after.always(async () => {
  await killWorkerProcesses();
  await app?.close();
});

test.serial('tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and then job payloads carry no trace context', async (t) => {
  t.is(loadTracingSettings({}), null);
  t.deepEqual(loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }), { endpoint: 'http://collector:4318', serviceName: undefined });
  // No worker runs yet: the outbid SMS job stays in its queue to be read.
  const seller = await app.signup();
  const [first, second] = [await app.signup(), await app.signup()];
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) });
  t.is((await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: first.accessToken, body: { amount: 10_000 } })).status, 201);
  t.is((await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: second.accessToken, body: { amount: 20_000 } })).status, 201);
  const sends = await waitFor('the outbid SMS job', async () => {
    const found = await app.deps.jobs.queues.notifications.getJobs(['wait', 'delayed'], 0, 100);
    return found.filter((job) => job.name === 'send-sms').length ? found : null;
  }, 5_000);
  for (const job of sends) t.false('traceparent' in job.data);
});

test.serial('with an OTLP endpoint, a bid and the SMS it causes are one trace: HTTP, PostgreSQL and Redis spans in the API, the send job in the worker', async (t) => {
  const receiver = await startReceiver();
  t.teardown(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));
  const env = { NODE_OPTIONS: PRELOAD, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
  const api: ApiProcess = await startApiProcess({
    ...env,
    DATABASE_URL: app.db.url,
    REDIS_URL: app.deps.config.redisUrl,
    REDIS_KEY_PREFIX: app.deps.config.redisKeyPrefix,
  });
  t.teardown(() => api.terminate().then(() => undefined));
  const worker = spawnWorkerProcess(app, { ...env, SMS_SENDER: 'log' });
  t.teardown(() => stopWorkerProcess(worker).then(() => undefined));

  const seller = await app.signup();
  const [first, second] = [await app.signup(), await app.signup()];
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) });
  const bid = (token: string, amount: number, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${api.port}/v1/auctions/${auctionId}/bids`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ amount }),
    });
  t.is((await bid(first.accessToken, 10_000)).status, 201);
  // The outbidding bid arrives inside a trace of ours (as from a traced client or proxy).
  const traceId = randomBytes(16).toString('hex');
  t.is((await bid(second.accessToken, 20_000, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` })).status, 201);

  const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
  const job = await waitFor('the worker\'s send-sms span in the bid\'s trace', async () => inTrace().find((s) => s.service === 'gavel-worker' && s.name === 'process send-sms'), 30_000, 200);
  t.is(job.attributes['messaging.destination.name'], 'notifications');
  const apiSpans = await waitFor('the API\'s spans', async () => {
    const spans = inTrace().filter((s) => s.service === 'gavel-api');
    return spans.some((s) => s.kind === 2) && spans.some((s) => s.attributes['db.system'] === 'postgresql' || s.attributes['db.system.name'] === 'postgresql') ? spans : null;
  }, 30_000, 200);
  t.true(apiSpans.some((s) => s.kind === 2 && s.parentSpanId !== ''), 'the HTTP server span continues the incoming traceparent');
  t.true(apiSpans.some((s) => s.attributes['db.system'] === 'redis' || s.attributes['db.system.name'] === 'redis'), 'Redis commands (rate limit, publish, enqueue)');
  // The worker's own queries are children of its job span.
  await waitFor('a PostgreSQL query under the job span', async () => inTrace().some((s) => s.service === 'gavel-worker' && s.parentSpanId === job.spanId && /postgres/.test(String(s.attributes['db.system'] ?? s.attributes['db.system.name']))), 30_000, 200);
  // Probes (startApiProcess polled /health/ready) are not traced, nor the exporter's own requests.
  const target = (s: ReceivedSpan) => String(s.attributes['url.full'] ?? s.attributes['http.url'] ?? s.attributes['url.path'] ?? s.attributes['http.target'] ?? '');
  t.true(apiSpans.some((s) => s.kind === 2 && target(s).includes(`/v1/auctions/${auctionId}/bids`)), 'server spans name their target');
  t.false(receiver.spans.some((s) => s.service === 'gavel-api' && /\/health\//.test(target(s))), 'no probe spans');
  t.false(receiver.spans.some((s) => /\/v1\/traces/.test(target(s))), 'no spans of exports');
});
