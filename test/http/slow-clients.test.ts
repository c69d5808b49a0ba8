import test from 'ava';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../infra/logger.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { requestUpload } from '../photos/support.ts';

/**
 * Clients that send slowly or go away: a JSON body that does not arrive within the deadline is the
 * client's fault (408, connection closed), and an upload cut off halfway is logged as what it is
 * (info), not as a failure of ours with a stack.
 */
const DEADLINE_MS = 800;
const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
let app: TestApi;

test.before(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(...String(chunk).trim().split('\n').map((l) => JSON.parse(l))), done()) });
  app = await startTestApi('slow_clients', { REQUEST_TIMEOUT_MS: String(DEADLINE_MS) }, { logger: createLogger('info', {}, sink) });
});
test.after.always(async () => {
  await app?.close();
});

/** A raw connection that sends exactly what it is told to, and records what comes back. */
function rawClient(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const url = new URL(app.baseUrl);
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(Number(url.port), url.hostname, () => resolve({ socket, received: () => text, closed }));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk) => (text += chunk));
    socket.once('error', reject);
  });
}

test('a JSON body that trickles in past the deadline is a 408 problem, and the connection is closed', async (t) => {
  const client = await rawClient();
  const startedAt = Date.now();
  client.socket.write('POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n{"phone":');
  // One byte now and then, never the whole body.
  const drip = setInterval(() => client.socket.writable && client.socket.write(' '), 200);
  t.teardown(() => clearInterval(drip));
  await client.closed;
  clearInterval(drip);
  const elapsed = Date.now() - startedAt;
  const response = client.received();
  t.regex(response, /^HTTP\/1\.1 408 /);
  t.regex(response, /content-type: application\/problem\+json/i);
  t.regex(response, /"type":"https:\/\/gavel\.dev\/problems\/request-body-timeout"/);
  t.regex(response, /connection: close/i);
  t.true(elapsed >= DEADLINE_MS && elapsed < DEADLINE_MS + 3000, `answered after ${elapsed} ms`);
});

test('an upload the client cuts off halfway is logged at info, with no error and no stack', async (t) => {
  const user = await app.signup();
  const size = 200_000;
  const target = await requestUpload(app, user, 'image/jpeg', size);
  t.is(target.status, 201);
  const url = new URL(target.body.url, app.baseUrl);
  const client = await rawClient();
  const headers = Object.entries({ ...target.body.headers, 'Content-Length': String(size) }).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  client.socket.write(`${target.body.method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: x\r\n${headers}\r\n\r\n`);
  client.socket.write(Buffer.alloc(50_000, 0xff));
  await new Promise((r) => setTimeout(r, 200));
  client.socket.destroy();

  const deadline = Date.now() + 5000;
  const isAbort = (l: (typeof lines)[number]) => /abort/i.test(JSON.stringify(l)) && l.msg !== 'request';
  while (!lines.some(isAbort) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const aborted = lines.filter(isAbort);
  t.is(aborted.length, 1, 'one line for the abort');
  t.is(aborted[0]!.level, 30, 'at info');
  const errors = lines.filter((l) => l.level >= 50);
  t.deepEqual(errors, [], 'nothing logged as an error');
  t.false(JSON.stringify(lines).includes('"stack"'), 'no stack trace');
});
