/**
 * A small EventSource for tests, over fetch streaming: parses `id`, `event`, `data` and `retry`
 * fields and comment lines as the HTML standard says, and records everything in arrival order so
 * a test can look at exactly what went over the wire.
 */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export type SseRecord =
  | { kind: 'event'; event: SseEvent; atMs: number }
  | { kind: 'comment'; text: string; atMs: number }
  | { kind: 'retry'; ms: number; atMs: number };

export interface SseOptions {
  lastEventId?: string;
  /** How the id travels: the `Last-Event-ID` header (what EventSource does) or `?lastEventId=`. */
  via?: 'header' | 'query';
  headers?: Record<string, string>;
  /** Bound on waiting for the response headers. */
  connectTimeoutMs?: number;
}

export class SseClient {
  readonly status: number;
  readonly headers: Headers;
  /** The body, when the answer was not an event stream (a problem+json, for instance). */
  readonly problem: any;
  readonly records: SseRecord[] = [];
  /** Resolves when the server ended the stream or `close()` aborted it. */
  readonly finished: Promise<void>;
  endedByServer = false;
  lastEventId: string | undefined;
  readonly openedAtMs = Date.now();
  private readonly controller: AbortController;
  private readonly changed = new Set<() => void>();

  private constructor(status: number, headers: Headers, problem: unknown, controller: AbortController, body: ReadableStream<Uint8Array> | null, lastEventId: string | undefined) {
    this.status = status;
    this.headers = headers;
    this.problem = problem;
    this.controller = controller;
    this.lastEventId = lastEventId;
    this.finished = body ? this.consume(body) : Promise.resolve();
  }

  static async open(url: string, options: SseOptions = {}): Promise<SseClient> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
    if (options.lastEventId !== undefined) {
      if (options.via === 'query') target.searchParams.set('lastEventId', options.lastEventId);
      else headers['last-event-id'] = options.lastEventId;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no response from ${url} within the connect timeout`)), options.connectTimeoutMs ?? 10_000);
    let response: Response;
    try {
      response = await fetch(target, { headers, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
    const isStream = response.ok && (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
    if (!isStream) {
      const text = await response.text();
      const problem = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
      return new SseClient(response.status, response.headers, problem, controller, null, options.lastEventId);
    }
    return new SseClient(response.status, response.headers, undefined, controller, response.body, options.lastEventId);
  }

  get events(): SseEvent[] {
    return this.records.flatMap((r) => (r.kind === 'event' ? [r.event] : []));
  }

  get comments(): string[] {
    return this.records.flatMap((r) => (r.kind === 'comment' ? [r.text] : []));
  }

  /** Event data parsed as JSON (every gavel event carries JSON). */
  get payloads(): any[] {
    return this.events.map((e) => JSON.parse(e.data));
  }

  get seqs(): number[] {
    return this.events.map((e) => Number(e.id));
  }

  /** Waits until `predicate` holds, failing with `what` after `timeoutMs`. */
  async waitFor(predicate: (client: SseClient) => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate(this)) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!predicate(this)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${describeSeqs(this.seqs)}, ended by server: ${this.endedByServer}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.changed.delete(check);
      };
      this.changed.add(check);
    });
  }

  /** Waits for the server to end the stream. */
  waitForEnd(timeoutMs: number): Promise<void> {
    return this.waitFor((c) => c.endedByServer, timeoutMs, 'the server to end the stream');
  }

  /** Opens a new connection that resumes after the last event id this one saw. */
  reconnect(url: string, via: 'header' | 'query' = 'header'): Promise<SseClient> {
    return SseClient.open(url, this.lastEventId === undefined ? {} : { lastEventId: this.lastEventId, via });
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.finished;
  }

  private async consume(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let data: string[] = [];
    let event = '';
    // As in EventSource, the id buffer outlives an event: an event without `id:` keeps the last one.
    let idBuffer = this.lastEventId;
    const reader = body.getReader();
    const dispatch = () => {
      const idChanged = this.lastEventId !== idBuffer;
      this.lastEventId = idBuffer;
      if (data.length) this.push({ kind: 'event', event: { id: idBuffer, event: event || 'message', data: data.join('\n') }, atMs: Date.now() });
      // An id without data dispatches nothing, but a test may be waiting for the id itself.
      else if (idChanged) this.notify();
      data = [];
      event = '';
    };
    const line = (text: string) => {
      if (text === '') return dispatch();
      if (text.startsWith(':')) return this.push({ kind: 'comment', text: text.slice(1).trimStart(), atMs: Date.now() });
      const colon = text.indexOf(':');
      const field = colon < 0 ? text : text.slice(0, colon);
      let value = colon < 0 ? '' : text.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\0')) idBuffer = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.push({ kind: 'retry', ms: Number(value), atMs: Date.now() });
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const parts = buffer.split(/\r\n|\r|\n/);
        // The last part is an unfinished line (or '' after a line break); it waits for more.
        buffer = parts.pop() ?? '';
        for (const part of parts) line(part);
      }
      this.endedByServer = true;
    } catch {
      // Aborted by close(), or the connection was cut: either way the stream is over.
    } finally {
      this.notify();
    }
  }

  private push(record: SseRecord): void {
    this.records.push(record);
    this.notify();
  }

  private notify(): void {
    for (const check of [...this.changed]) check();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `predicate` holds, polling (a probe that throws counts as "not yet"); fails with `what` after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T> | T, predicate: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const value = await probe();
      if (predicate(value)) return value;
      last = `last value ${JSON.stringify(value)}`;
    } catch (error) {
      last = `last error ${(error as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${last}`);
    await sleep(50);
  }
}

/** A short account of a seq list for failure messages: count, range and where it breaks. */
export function describeSeqs(seqs: number[]): string {
  if (!seqs.length) return 'no events';
  const breaks = seqs.flatMap((seq, i) => (i > 0 && seq !== seqs[i - 1]! + 1 ? [`${seqs[i - 1]}→${seq}`] : [])).slice(0, 10);
  return `${seqs.length} events ${seqs[0]}..${seqs.at(-1)}${breaks.length ? `, breaks ${breaks.join(' ')}` : ', consecutive'}`;
}

/**
 * What EventSource does on its own: reconnects whenever the stream ends or cannot be opened,
 * resending the last event id, after the server's `retry:` hint (capped at `maxRetryMs`), and
 * stops for good when the server answers 204 No Content.
 */
export class SseFollower {
  readonly connections: SseClient[] = [];
  /** Attempts that got no stream: network errors or non-200 answers. */
  failedAttempts = 0;
  /** Set when a 204 told the follower that nothing more will come; it no longer reconnects. */
  toldDone = false;
  private stopped = false;
  private readonly stopSignal: Promise<void>;
  private signalStop!: () => void;
  private readonly running: Promise<void>;

  constructor(url: string, lastEventId: string | undefined, options: { maxRetryMs?: number; via?: 'header' | 'query' } = {}) {
    this.stopSignal = new Promise((resolve) => (this.signalStop = resolve));
    this.running = this.run(url, lastEventId, options.maxRetryMs ?? 250, options.via ?? 'header');
  }

  get seqs(): number[] {
    return this.connections.flatMap((c) => c.seqs);
  }

  get payloads(): any[] {
    return this.connections.flatMap((c) => c.payloads);
  }

  /** The connection in use, if it is open and live. */
  get current(): SseClient | undefined {
    const last = this.connections.at(-1);
    return last && !last.endedByServer ? last : undefined;
  }

  waitFor(predicate: (follower: SseFollower) => boolean, timeoutMs: number, what: string): Promise<unknown> {
    return eventually(() => predicate(this), (ok) => ok, timeoutMs, `${what} (follower has ${describeSeqs(this.seqs)} over ${this.connections.length} connections)`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    await this.running;
    await Promise.all(this.connections.map((c) => c.close()));
  }

  private async run(url: string, lastEventId: string | undefined, maxRetryMs: number, via: 'header' | 'query'): Promise<void> {
    let last = lastEventId;
    let retryMs = maxRetryMs;
    while (!this.stopped) {
      let client: SseClient | undefined;
      try {
        client = await SseClient.open(url, last === undefined ? { connectTimeoutMs: 5_000 } : { lastEventId: last, via, connectTimeoutMs: 5_000 });
      } catch {
        client = undefined;
      }
      if (client?.status === 204) {
        this.toldDone = true;
        return;
      }
      if (client?.status === 200) {
        this.connections.push(client);
        await Promise.race([client.finished, this.stopSignal]);
        last = client.lastEventId ?? last;
        const hint = client.records.findLast((r) => r.kind === 'retry');
        if (hint?.kind === 'retry') retryMs = Math.min(hint.ms, maxRetryMs);
      } else {
        this.failedAttempts++;
      }
      if (!this.stopped) await Promise.race([sleep(retryMs), this.stopSignal]);
    }
  }
}
