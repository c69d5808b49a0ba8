import { PassThrough, type Readable } from 'node:stream';
import { DomainError } from '../errors.ts';

export interface UploadPace {
  /** No byte for this long cuts the body; it is also the grace before the minimum rate applies. */
  idleTimeoutS: number;
  /** After the grace, the body must have kept up this average (counted from the end of the grace). */
  minBytesPerS: number;
}

/**
 * Whether a body is too slow to keep receiving: silent for the idle timeout, or, once past it,
 * short of the minimum rate. Trickling one byte every few seconds passes an idle timeout alone
 * (the Slowloris way), never the rate.
 */
export function paceViolation(state: { elapsedMs: number; idleMs: number; received: number }, pace: UploadPace): 'idle' | 'slow' | null {
  const graceMs = pace.idleTimeoutS * 1000;
  if (state.idleMs >= graceMs) return 'idle';
  if (state.elapsedMs > graceMs && state.received < (pace.minBytesPerS * (state.elapsedMs - graceMs)) / 1000) return 'slow';
  return null;
}

/** The longest a body that keeps the pace may take: how long one PUT may hold its upload. */
export const longestPacedBodyS = (size: number, pace: UploadPace) => pace.idleTimeoutS + Math.ceil(size / pace.minBytesPerS);

const tooSlow = (why: 'idle' | 'slow', pace: UploadPace) =>
  new DomainError(
    'too_slow',
    'upload-too-slow',
    why === 'idle'
      ? `No bytes arrived for ${pace.idleTimeoutS} s; the upload was cut off.`
      : `The bytes came slower than ${pace.minBytesPerS} bytes per second; the upload was cut off.`,
  );

/** The client closed the connection before its bytes were all sent: its choice, not our failure (a 4xx, logged as info). */
const aborted = () => new DomainError('invalid', 'upload-aborted', 'The connection closed before the bytes were all sent.');

/**
 * The request body, passed through while it keeps the pace; when it falls behind, the stream
 * fails with a 408 `upload-too-slow` and stops reading; when the client goes away, with a 400
 * `upload-aborted`. `stop()` ends the watch (call it when done).
 */
export function pacedBody(body: Readable, pace: UploadPace, now: () => number = Date.now): { stream: Readable; stop(): void } {
  const started = now();
  let last = started;
  let received = 0;
  const out = new PassThrough();
  let stopped = false;
  // Once the reader is done (stop()), nothing is failed any more; an error nobody listens to would crash the process.
  out.on('error', () => undefined);
  const fail = (error: DomainError) => {
    if (stopped) return;
    stop();
    body.pause();
    out.destroy(error);
  };
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    last = now();
    if (!out.write(chunk)) body.pause();
  });
  out.on('drain', () => body.resume());
  let ended = false;
  body.on('end', () => {
    ended = true;
    out.end();
  });
  // A request body fails only with its connection (a reset, a close mid-body): the client left.
  body.on('error', () => fail(aborted()));
  body.on('close', () => {
    if (!ended) fail(aborted());
  });
  const timer = setInterval(() => {
    const at = now();
    const why = paceViolation({ elapsedMs: at - started, idleMs: at - last, received }, pace);
    if (why) fail(tooSlow(why, pace));
  }, Math.min(500, pace.idleTimeoutS * 250));
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  out.on('close', stop);
  return { stream: out, stop };
}
