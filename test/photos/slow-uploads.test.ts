import test from 'ava';
import { connect, type Socket } from 'node:net';
import pino from 'pino';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { sql } from '../support/workers.ts';
import { jpegWithGps, requestUpload, sendBytes } from './support.ts';

/**
 * Upload bodies cannot hold connections open (the audit's Slowloris): raw sockets send the headers
 * of a PUT, then one byte every 5 s. With UPLOAD_IDLE_TIMEOUT_S=6 no single pause is long enough to
 * be idle, so only the minimum rate (1 KiB/s after the 6 s grace) can cut them, and it must.
 */
let app: TestApi;
let jpeg: Buffer;
const IDLE_S = 6;
const logs: { level: number; msg: string; problem?: string; err?: unknown }[] = [];
test.before(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  app = await startTestApi('photo_slow', {
    UPLOAD_IDLE_TIMEOUT_S: String(IDLE_S),
    UPLOAD_MIN_BYTES_PER_S: '1024',
    UPLOAD_MAX_CONCURRENT_PER_USER: '3',
    UPLOAD_RATE_LIMIT_PER_HOUR: '1000',
  }, { logger });
  jpeg = await jpegWithGps(320, 240);
});
test.after.always(async () => {
  await app?.close();
});

async function pendingUpload(user: TestUser, size = jpeg.length) {
  const res = await requestUpload(app, user, 'image/jpeg', size);
  if (res.status !== 201) throw new Error(`upload refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; url: string; method: string; headers: Record<string, string> };
}

interface Trickle {
  /** Resolves when the server closes the connection: its HTTP status (0 if none) and when. */
  closed: Promise<{ status: number; afterMs: number; body: string }>;
  socket: Socket;
}

/** A PUT whose body comes `bytesEach` bytes every `everyMs` ms (or, with everyMs 0, `bytesEach` bytes once, then silence). */
function trickle(url: string, size: number, bytesEach = 1, everyMs = 5000): Trickle {
  const target = new URL(url, app.baseUrl);
  const socket = connect(Number(target.port), target.hostname);
  const started = Date.now();
  let data = '';
  let timer: NodeJS.Timeout | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (data += chunk));
  socket.on('error', () => undefined);
  socket.on('connect', () => {
    socket.write(`PUT ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: image/jpeg\r\nContent-Length: ${size}\r\n\r\n`);
    const send = () => socket.writable && socket.write(Buffer.alloc(bytesEach, 0xff));
    send();
    if (everyMs > 0) timer = setInterval(send, everyMs);
  });
  const closed = new Promise<{ status: number; afterMs: number; body: string }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), afterMs: Date.now() - started, body: data });
    }),
  );
  return { closed, socket };
}

const cutOff = (t: Trickle, ms: number) =>
  Promise.race([t.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]).finally(() => t.socket.destroy());

test('50 connections trickling one byte every 5 s into 50 uploads are all cut off with a 408 soon after the grace', async (t) => {
  const users = await Promise.all(Array.from({ length: 17 }, () => app.signup()));
  const targets = await Promise.all(Array.from({ length: 50 }, (_, i) => pendingUpload(users[i % users.length]!)));
  const trickles = targets.map((target) => trickle(target.url, jpeg.length));
  const results = await Promise.all(trickles.map((tr) => cutOff(tr, (IDLE_S + 6) * 1000)));
  t.is(results.filter((r) => r === null).length, 0, 'every connection was closed by the server');
  for (const result of results) {
    t.is(result!.status, 408, result!.body.slice(0, 300));
    t.true(result!.body.includes('upload-too-slow'));
    t.true(result!.afterMs >= IDLE_S * 1000 - 500, `not before the grace: ${result!.afterMs} ms`);
  }
  const rows = await sql(app, `select status, receiving_until from uploads where id = any(?::uuid[])`, [`{${targets.map((x) => x.id)}}`]);
  t.true(rows.every((r) => r.status === 'pending' && r.receiving_until === null), 'nothing received, nothing left held');
});

test('a body that stops altogether is cut off after UPLOAD_IDLE_TIMEOUT_S', async (t) => {
  const target = await pendingUpload(await app.signup());
  const result = await cutOff(trickle(target.url, jpeg.length, 100, 0), (IDLE_S + 4) * 1000);
  t.truthy(result, 'closed by the server');
  t.is(result!.status, 408);
  t.true(result!.afterMs >= IDLE_S * 1000 - 500 && result!.afterMs < (IDLE_S + 3) * 1000, `${result!.afterMs} ms`);
});

test('one PUT per upload at a time: while one sends, the others to the same URL get 409 at once; the upload is free again after', async (t) => {
  const user = await app.signup();
  const target = await pendingUpload(user);
  const holder = trickle(target.url, jpeg.length);
  await new Promise((r) => setTimeout(r, 300));
  const others = Array.from({ length: 49 }, () => trickle(target.url, jpeg.length));
  const refused = await Promise.all(others.map((o) => cutOff(o, 3000)));
  t.true(refused.every((r) => r?.status === 409 && r.body.includes('upload-in-progress')), JSON.stringify(refused.map((r) => r?.status)));
  const held = await cutOff(holder, (IDLE_S + 6) * 1000);
  t.is(held?.status, 408);
  t.is((await sendBytes(app, target, jpeg)).status, 204, 'once the slow PUT was cut, a real one gets through');
});

test('a user may send UPLOAD_MAX_CONCURRENT_PER_USER bodies at once; one more is a 429 that takes nothing', async (t) => {
  const [user, other] = [await app.signup(), await app.signup()];
  const targets = await Promise.all(Array.from({ length: 4 }, () => pendingUpload(user)));
  const slow = targets.slice(0, 3).map((target) => trickle(target.url, jpeg.length));
  await new Promise((r) => setTimeout(r, 500));
  const fourth = await sendBytes(app, targets[3]!, jpeg);
  t.is(fourth.status, 429, JSON.stringify(fourth.body));
  t.is(fourth.body.type, 'https://gavel.dev/problems/upload-concurrency-limited');
  t.truthy(fourth.headers.get('retry-after'));
  const [row] = await sql(app, `select status, receiving_until from uploads where id = ?`, [targets[3]!.id]);
  t.like(row, { status: 'pending', receiving_until: null });
  t.is((await sendBytes(app, await pendingUpload(other), jpeg)).status, 204, 'another user is not held back');
  for (const s of slow) s.socket.destroy();
  await Promise.all(slow.map((s) => s.closed));
  // The aborted bodies release their hold as their requests end.
  const deadline = Date.now() + 5000;
  let status = 0;
  while (Date.now() < deadline && (status = (await sendBytes(app, targets[3]!, jpeg)).status) === 429) await new Promise((r) => setTimeout(r, 100));
  t.is(status, 204);
});

test('a client that gives up mid-upload is logged as a rejected request (info), not a server error, and frees the upload', async (t) => {
  const target = await pendingUpload(await app.signup());
  const aborted = trickle(target.url, jpeg.length, 100, 0);
  await new Promise((r) => setTimeout(r, 300));
  aborted.socket.destroy();
  await aborted.closed;
  const line = await (async () => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = logs.find((l) => l.problem?.endsWith('/upload-aborted'));
      if (found || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  t.truthy(line, 'the abort is logged as a rejected request');
  t.is(line!.level, 30);
  t.deepEqual(logs.filter((l) => l.level >= 50).map((l) => l.msg), [], 'no error lines');
  // Freed when the server notices the hang-up, which the log line can precede.
  let row: any;
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    [row] = await sql(app, `select status, receiving_until from uploads where id = ?`, [target.id]);
    if (row.receiving_until === null) break;
  }
  t.like(row, { status: 'pending', receiving_until: null });
  t.is((await sendBytes(app, target, jpeg)).status, 204);
});
