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

/**
 * The request body, passed through while it keeps the pace; when it falls behind, the stream
 * fails with a 408 `upload-too-slow` and stops reading. `stop()` ends the watch (call it when done).
 */
export function pacedBody(body: Readable, pace: UploadPace, now: () => number = Date.now): { stream: Readable; stop(): void } {
  const started = now();
  let last = started;
  let received = 0;
  const out = new PassThrough();
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    last = now();
    if (!out.write(chunk)) body.pause();
  });
  out.on('drain', () => body.resume());
  body.on('end', () => out.end());
  body.on('error', (error) => out.destroy(error));
  const timer = setInterval(() => {
    const at = now();
    const why = paceViolation({ elapsedMs: at - started, idleMs: at - last, received }, pace);
    if (!why) return;
    stop();
    body.pause();
    out.destroy(tooSlow(why, pace));
  }, Math.min(500, pace.idleTimeoutS * 250));
  const stop = () => clearInterval(timer);
  out.on('close', stop);
  return { stream: out, stop };
}
