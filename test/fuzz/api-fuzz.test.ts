import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { startApiProcess, type ApiProcess } from '../support/api-process.ts';
import { createTestAuction } from '../support/listings.ts';
import { changes, DatabaseProbe } from './db-snapshot.ts';
import { dimensionsOf, recipes, type Dimension } from './hostile.ts';
import type { OpenApiDocument } from './json-schema.ts';
import { operationsOf, titleOf, type Operation } from './operations.ts';
import { closeAgent, send, type RawRequest, type RawResponse } from './raw-http.ts';
import { judge, materialize, targetIdOf, type Fixtures, type Recipe } from './requests.ts';

/**
 * Every operation of the published /openapi.json, fed malformed and hostile requests. Whatever
 * comes in, the answer is a 4xx problem+json that leaks nothing (never a 5xx, never silence), a
 * rejected write leaves the database as it was, and a 2xx only ever answers a request the contract
 * accepts. Replay a run with FUZZ_SEED (printed below); FUZZ_SCALE multiplies the number of cases.
 */

const SEED = process.env.FUZZ_SEED ? Number.parseInt(process.env.FUZZ_SEED, 10) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer, not ${process.env.FUZZ_SEED}`);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const REQUEST_TIMEOUT_MS = 5000;
/** Cases per (operation, hostile part); summed over the document this is several thousand. */
const RUNS: Record<Dimension, number> = { auth: 40, path: 80, query: 120, header: 80, body: 200, 'content-type': 60 };
/** Shrinking replays requests; a hang costs seconds each, so it stops after this much. */
const SHRINK_BUDGET = { runs: 150, ms: 20_000 };

/**
 * The test app gives the database, Redis prefix and fixtures; the fuzzed requests go to the same
 * API run as its own process on them, so a request that blocks the server's event loop is a
 * timeout reported with its input, not a frozen test runner.
 */
const app: TestApi = await startTestApi('fuzz');
const dataDir = join(tmpdir(), `gavel-fuzz-${randomBytes(4).toString('hex')}`);
let subject: ApiProcess | undefined;
let baseUrl: string;
let doc: OpenApiDocument;
let fx: Fixtures;
let probe: DatabaseProbe | undefined;
try {
  const { config } = app.deps;
  subject = await startApiProcess({
    NODE_ENV: 'test',
    DATABASE_URL: app.db.url,
    REDIS_URL: config.redisUrl,
    REDIS_KEY_PREFIX: config.redisKeyPrefix,
    JWT_SECRET: config.jwt.secret,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_DRAIN_MS: '0',
    // Verification codes go to the (silent) log: the fuzz sends no SMS anywhere.
    SMS_SENDER: 'log',
  });
  baseUrl = `http://127.0.0.1:${subject.port}`;
  doc = await (await fetch(`${baseUrl}/openapi.json`)).json();
  fx = await createFixtures(app);
  probe = await DatabaseProbe.connect(app.db.url);
} catch (error) {
  await shutDown();
  throw error;
}
const operations = operationsOf(doc);

async function shutDown(): Promise<void> {
  closeAgent();
  await probe?.close();
  await subject?.terminate();
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
}

/** Rows for generated ids to hit: listings (on sale, reserved, the caller's own), a trade, an open and a scheduled auction with a bid. */
async function createFixtures(api: TestApi): Promise<Fixtures> {
  const expect = async (status: number, method: string, path: string, user: TestUser, options: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const res = await api.request(method, path, { ...options, token: user.accessToken });
    if (res.status !== status) throw new Error(`fixture ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const owner = await api.signup();
  const caller = await api.signup();
  const listing = (title: string) => ({ title, description: 'fuzz fixture', categoryId: 1, price: 50_000 });
  const onSale = await expect(201, 'POST', '/v1/listings', owner, { body: listing('자전거 팝니다') });
  const reserved = await expect(201, 'POST', '/v1/listings', owner, { body: listing('책상') });
  const own = await expect(201, 'POST', '/v1/listings', caller, { body: listing('의자') });
  const trade = await expect(201, 'POST', `/v1/listings/${reserved.id}/purchase`, caller);
  await expect(200, 'PUT', `/v1/listings/${onSale.id}/like`, caller);
  const hour = 3_600_000;
  const open = await createTestAuction(api, owner.id, { startPrice: 1000, endsAt: new Date(Date.now() + 2 * hour), buyNowPrice: 10_000_000 });
  const scheduled = await createTestAuction(api, owner.id, { startPrice: 500, startsAt: new Date(Date.now() + hour), endsAt: new Date(Date.now() + 3 * hour) });
  const auction = await expect(200, 'GET', `/v1/auctions/${open.auctionId}`, caller);
  await expect(201, 'POST', `/v1/auctions/${open.auctionId}/bids`, caller, { body: { amount: auction.minimumBid }, headers: { 'idempotency-key': 'fuzz-fixture-bid' } });
  const { config } = api.deps;
  return {
    ids: [onSale.id, reserved.id, own.id, trade.id, open.auctionId, open.listingId, scheduled.auctionId, scheduled.listingId, owner.id, caller.id],
    callerId: caller.id,
    ownerId: owner.id,
    tokens: { caller: caller.accessToken, owner: owner.accessToken },
    jwt: { secret: config.jwt.secret, issuer: config.jwt.issuer, audience: config.jwt.audience },
  };
}

/** What must not appear in an error body (unless the request itself sent it, and it is echoed back). */
const LEAKS: [string, RegExp][] = [
  ['a stack frame', /\n\s+at |\bat (?:async )?[\w$.<>[\] ]*\(?(?:file:|node:|\/)[^)\s]*:\d+(?::\d+)?/],
  ['a file path', /node_modules|\/work\/|\/app\/|file:\/\/|[\w-]+\.(?:ts|js|mjs|cjs):\d+/],
  ['SQL', /\bSELECT\b|\b(?:select|insert into|update|delete from)\b[^"]{0,80}\b(?:from|set|where|values)\b/i],
  ['a database error', /relation "|syntax error at|violates|duplicate key|invalid input syntax|column "|ECONNREFUSED|MikroORM|DriverException|current transaction is aborted/i],
  ['an internal error name', /\b(?:TypeError|RangeError|ReferenceError|Maximum call stack)\b/],
  ['a stack member', /"stack"\s*:/],
];

function requestText(request: RawRequest): string {
  const headers = Object.values(request.headers).flat().join('\n');
  return `${request.target}\n${headers}\n${request.body?.toString('utf8') ?? ''}`.toLowerCase();
}

/** Everything wrong with one answer; empty when it is fine. */
function findingsOf(response: RawResponse, request: RawRequest, refusals: string[]): string[] {
  const found: string[] = [];
  if (response.status >= 500) found.push(`a ${response.status}: the server failed instead of refusing the request`);
  if (response.status < 400) {
    if (refusals.length) found.push(`a ${response.status} for a request the contract refuses (${refusals.join('; ')})`);
    return found;
  }
  const type = String(response.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) found.push(`Content-Type ${JSON.stringify(type)}, not application/problem+json`);
  let body: any;
  try {
    body = JSON.parse(response.text);
  } catch {
    found.push('the body is not JSON');
  }
  if (body !== undefined) {
    if (typeof body?.type !== 'string' || !body.type) found.push('the problem has no type');
    if (typeof body?.title !== 'string' || !body.title) found.push('the problem has no title');
    if (body?.status !== response.status) found.push(`the problem's status ${JSON.stringify(body?.status)} is not the HTTP status ${response.status}`);
  }
  const sent = requestText(request);
  for (const [what, pattern] of LEAKS) {
    const match = pattern.exec(response.text);
    if (match && !sent.includes(match[0].toLowerCase().trim())) found.push(`the body leaks ${what}: ${JSON.stringify(match[0])}`);
  }
  return found;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

function describe(op: Operation, request: RawRequest, refusals: string[], response: RawResponse | undefined, findings: string[]): string {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, [value].flat().map((v) => clip(v, 120))]));
  const lines = [
    `${titleOf(op)}: ${findings.join('\n  and ')}`,
    `  request:  ${request.method} ${clip(request.target, 300)}`,
    `  headers:  ${JSON.stringify(headers)}`,
    ...(request.body ? [`  body:     ${request.body.length} bytes${request.chunked ? ' (chunked)' : ''}: ${JSON.stringify(clip(request.body.toString('utf8'), 300))}`] : []),
    `  contract: ${refusals.length ? `refuses it (${refusals.join('; ')})` : 'accepts it'}`,
    response
      ? `  response: ${response.status} ${response.headers['content-type'] ?? '(no content-type)'} ${response.cutStream ? '(event stream, cut)' : JSON.stringify(clip(response.text, 600))}`
      : '  response: none',
  ];
  return lines.join('\n');
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function exercise(op: Operation, recipe: Recipe): Promise<number> {
  const request = materialize(op, recipe, fx);
  const refusals = judge(doc, op, recipe, request);
  const target = targetIdOf(op, recipe);
  const before = op.writes ? await probe!.snapshot(target) : undefined;
  let response: RawResponse;
  try {
    response = await send(baseUrl, request, REQUEST_TIMEOUT_MS);
  } catch (error) {
    throw new Error(describe(op, request, refusals, undefined, [(error as Error).message]), { cause: error });
  }
  const findings = findingsOf(response, request, refusals);
  if (before && response.status >= 400 && response.status < 500) {
    const changed = changes(before, await probe!.snapshot(target));
    if (changed.length) findings.push(`the database changed although the write was refused:\n    ${changed.join('\n    ')}`);
  }
  if (findings.length) throw new Error(describe(op, request, refusals, response, findings));
  // An accepted write may still publish its event after answering; let it land before the next snapshot.
  if (op.writes && response.status < 400) await pause(100);
  return response.status;
}

function seedOf(title: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < title.length; i++) hash = Math.imul(hash ^ title.charCodeAt(i), 0x01000193);
  return (SEED ^ hash) | 0;
}

const replay = (title: string) => `Replay: FUZZ_SEED=${SEED} npx ava test/fuzz/api-fuzz.test.ts --match '${title.replaceAll("'", "'\\''")}'`;

async function fuzz<T>(t: ExecutionContext, title: string, arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<number>, runs: number): Promise<void> {
  let failedAt: number | undefined;
  let shrinkRuns = 0;
  const statuses = new Map<number, number>();
  const property = fc.asyncProperty(arbitrary, async (value) => {
    // Past the budget a candidate counts as passing, so shrinking stops at the last real failure.
    if (failedAt !== undefined && (++shrinkRuns > SHRINK_BUDGET.runs || Date.now() - failedAt > SHRINK_BUDGET.ms)) return;
    try {
      const status = await check(value);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    } catch (error) {
      failedAt ??= Date.now();
      throw error;
    }
  });
  const details = await fc.check(property, {
    seed: seedOf(title),
    numRuns: Math.max(1, Math.round(runs * SCALE)),
    includeErrorInReport: true,
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
  });
  // FUZZ_STATS=1 shows what the cases got, e.g. to see that checks behind authentication are reached.
  if (process.env.FUZZ_STATS) t.log([...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' '));
  if (details.failed) t.fail(`${fc.defaultReportMessage(details)}\n\n${replay(title)}`);
  else t.pass();
}

const planned = operations.reduce((sum, op) => sum + dimensionsOf(op).reduce((n, dim) => n + Math.max(1, Math.round(RUNS[dim] * SCALE)), 0), 0);

test.serial('fuzz seed and plan', (t) => {
  t.log(`FUZZ_SEED=${SEED}: ${operations.length} operations, ${planned} cases (+ request-size limits)`);
  t.true(operations.length > 0, 'the published document lists no operations');
  t.true(operations.some((op) => op.streams), 'the event stream is not in the document');
});

// Writes run one at a time, so the database before and after a case is that case's doing.
for (const op of operations) {
  for (const dim of dimensionsOf(op)) {
    const title = `${titleOf(op)} › hostile ${dim}`;
    const declare = op.writes ? test.serial : test;
    declare(title, (t) => fuzz(t, title, recipes(doc, op, dim, fx), (recipe) => exercise(op, recipe), RUNS[dim]));
  }
}

test('every operation: a request line or header block over the server limit still gets a 4xx problem', async (t) => {
  const title = 'request-size limits';
  const arbitrary = fc.record({ op: fc.constantFrom(...operations), where: fc.constantFrom('header' as const, 'target' as const), size: fc.integer({ min: 17_000, max: 40_000 }) });
  await fuzz(
    t,
    title,
    arbitrary,
    async ({ op, where, size }) => {
      const long = 'a'.repeat(size);
      const hasPath = op.params.some((p) => p.in === 'path');
      const target = where === 'target' ? (hasPath ? op.path.replace(/\{[^}]+\}/g, long) : `${op.path}?x=${long}`) : op.path.replace(/\{[^}]+\}/g, fx.ids[0]!);
      const request: RawRequest = { method: op.method, target, headers: where === 'header' ? { authorization: `Bearer ${long}` } : {} };
      let response: RawResponse;
      try {
        response = await send(baseUrl, request, REQUEST_TIMEOUT_MS);
      } catch (error) {
        throw new Error(describe(op, request, [`${where} of ${size} bytes`], undefined, [(error as Error).message]), { cause: error });
      }
      const findings = findingsOf(response, request, [`${where} of ${size} bytes`]);
      if (findings.length) throw new Error(describe(op, request, [`${where} of ${size} bytes`], response, findings));
      return response.status;
    },
    20,
  );
});

test.after.always(shutDown);
