import type { Writable } from 'node:stream';
import type { EventHub } from '../../infra/event-hub.ts';

export interface StreamSettings {
  heartbeatMs: number;
  /** Hint sent with `retry:`: how long a client waits before reconnecting. */
  retryMs: number;
  /** A client that has let this many bytes of live events pile up unread is cut off rather than buffered. */
  maxBufferedBytes: number;
}

/** An event of one sequence (an auction's, a user's): numbered 1, 2, 3... in commit order. */
export interface SequencedEvent {
  seq: number;
  type: string;
}

export interface StreamSource<E extends SequencedEvent> {
  hub: EventHub;
  /** The hub topic whose messages are this sequence's live events. */
  topic: string;
  /** The next page of committed events with seq > afterSeq, in order (from PostgreSQL). */
  eventsAfter(afterSeq: number): Promise<E[]>;
  /** The newest committed event, for a client that brings no Last-Event-ID. */
  latestEvent(): Promise<E | null>;
  /**
   * Without a Last-Event-ID: `latest` sends the newest event (an auction's current state); `none`
   * sends only its id, so the client's reconnect resumes from there (a user's stream has no state
   * to show, only what happens next).
   */
  startWith: 'latest' | 'none';
  /** For the event after which nothing can follow (an auction's `closed`), the comment that ends the stream; else null. */
  lastWords?(event: E): string | null;
  /** A live message that is not an event of this sequence but ends the stream (a session closed). */
  endsStream?(message: unknown): string | null;
  /** Told of every live event as it arrives (shared reads keep the recent ones). */
  onLive?(event: E): void;
  /** Told when this stream's live subscription is confirmed (true) and when it ends (false). */
  onLiveChange?(live: boolean): void;
}

/**
 * A live event reaches every local stream of its topic as one object (the hub parses each message
 * once), so its frame is serialised once per process, not once per client.
 */
const frames = new WeakMap<SequencedEvent, string>();
const frame = (event: SequencedEvent) => {
  let text = frames.get(event);
  if (text === undefined) {
    text = `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    frames.set(event, text);
  }
  return text;
};

/**
 * One timer for every stream's heartbeat instead of one each: 10,000 streams are 10,000 timers
 * otherwise. Each stream is pinged on the first tick after its own interval has passed.
 */
const heartbeats = new Set<{ due: number; beat(): void }>();
let heartbeatTimer: NodeJS.Timeout | null = null;
const HEARTBEAT_TICK_MS = 1000;
function beatAll() {
  const now = Date.now();
  for (const stream of heartbeats) if (stream.due <= now) stream.beat();
}
function addHeartbeat(entry: { due: number; beat(): void }): () => void {
  heartbeats.add(entry);
  if (!heartbeatTimer) {
    heartbeatTimer = setInterval(beatAll, HEARTBEAT_TICK_MS);
    heartbeatTimer.unref();
  }
  return () => {
    heartbeats.delete(entry);
    if (heartbeats.size === 0 && heartbeatTimer) {
      clearInterval(heartbeatTimer);
      heartbeatTimer = null;
    }
  };
}

/**
 * One client's stream of one sequence of events (an auction's, a user's), gap-free and without duplicates:
 *   1. subscribe to the live channel first and hold what arrives;
 *   2. replay from PostgreSQL everything after the client's Last-Event-ID, page by page, at the
 *      pace the client reads;
 *   3. release the held events, then pass live ones through;
 *   4. end right after the last event there can be (an auction's `closed`), if the sequence has one.
 * A live event is written only if its seq is exactly the next one; one that skips ahead (a publish
 * that was lost or is late) makes the stream fetch the missing ones from PostgreSQL, which is the
 * truth: what it returns is written in its order even across a hole (a row deleted since).
 * Live events are judged one at a time, in arrival order, after the replay.
 */
export class EventStream<E extends SequencedEvent> {
  /** Where frames go: the response itself (no stream in between, which cost memory per client). */
  private readonly body: Writable;
  private lastSeq: number;
  private held: E[] | null = [];
  private queue: Promise<void> = Promise.resolve();
  /** Tasks enqueued and not yet finished; while 0 a live event that is next is written at once. */
  private pending = 0;
  private unsubscribe: (() => void) | null = null;
  private stopDisconnectWatch: (() => void) | null = null;
  private stopHeartbeat: (() => void) | null = null;
  private ended = false;
  private readonly whenEnded: Promise<void>;
  private markEnded!: () => void;
  private readonly source: StreamSource<E>;
  private readonly settings: StreamSettings;
  private readonly hooks: { onEnd(): void; onHeartbeat(): void };

  constructor(body: Writable, source: StreamSource<E>, settings: StreamSettings, lastSeq: number | null, hooks: { onEnd(): void; onHeartbeat(): void }) {
    this.body = body;
    this.source = source;
    this.settings = settings;
    this.lastSeq = lastSeq ?? -1;
    this.hooks = hooks;
    this.whenEnded = new Promise((resolve) => (this.markEnded = resolve));
    this.body.on('close', () => this.end());
  }

  /**
   * Resolves once the live subscription is confirmed (or refused); the replay runs afterwards,
   * because it can only go at the client's pace once the body is flowing to the client.
   */
  async start(): Promise<void> {
    this.write(`retry: ${this.settings.retryMs}\n: connected\n\n`);
    this.stopDisconnectWatch = this.source.hub.onDisconnect(() => this.end('live updates interrupted'));
    let live = true;
    try {
      live = await this.subscribe();
    } catch {
      // No live channel (Redis is down): send what PostgreSQL has, then ask the client to come back.
      live = false;
    }
    if (this.ended) return;
    if (live) {
      const { heartbeatMs } = this.settings;
      // Never less often than asked: a tick late is fine, a ping late by a whole interval is not.
      const every = Math.max(1, heartbeatMs - HEARTBEAT_TICK_MS);
      const entry = {
        due: Date.now() + every,
        beat: () => {
          entry.due = Date.now() + every;
          this.write(': ping\n\n');
          this.hooks.onHeartbeat();
        },
      };
      this.stopHeartbeat = heartbeatMs < 2 * HEARTBEAT_TICK_MS ? this.ownHeartbeat(heartbeatMs) : addHeartbeat(entry);
    }
    this.enqueue(async () => {
      await this.clampToNewest();
      await this.catchUp();
      if (!live) return this.end('live updates unavailable');
      const held = this.held ?? [];
      this.held = null;
      for (const event of held) await this.judge(event);
    });
  }

  /** Ends the stream; with a reason, after a `retry:` hint, so the client reconnects (to this or another instance). */
  end(reason?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.markEnded();
    this.stopHeartbeat?.();
    this.unsubscribe?.();
    this.stopDisconnectWatch?.();
    if (reason && this.body.writable) this.body.write(`: ${reason}\nretry: ${this.settings.retryMs}\n\n`);
    this.body.end();
    this.hooks.onEnd();
  }

  /** False when the stream ended before Redis confirmed; a late subscription is then released at once. */
  private async subscribe(): Promise<boolean> {
    const subscription = this.source.hub.subscribe(this.source.topic, (message) => this.receive(message));
    const unsubscribe = await Promise.race([subscription, this.whenEnded.then(() => null)]);
    if (unsubscribe === null || this.ended) {
      subscription.then((release) => release(), () => undefined);
      return false;
    }
    this.unsubscribe = () => {
      unsubscribe();
      this.source.onLiveChange?.(false);
    };
    this.source.onLiveChange?.(true);
    return true;
  }

  private receive(message: unknown): void {
    const endReason = this.source.endsStream?.(message) ?? null;
    if (endReason !== null) {
      // Not held back behind a replay: a closed session must not keep reading.
      this.end(endReason);
      return;
    }
    const event = message as E;
    this.source.onLive?.(event);
    if (this.held) this.held.push(event);
    // The common case, written at once: nothing is queued and it is the next event.
    else if (this.pending === 0 && !this.ended && event.seq === this.lastSeq + 1) this.judgeNext(event);
    else this.enqueue(() => this.judge(event));
  }

  /** For tests and short intervals: a timer of the stream's own. */
  private ownHeartbeat(ms: number): () => void {
    const timer = setInterval(() => {
      this.write(': ping\n\n');
      this.hooks.onHeartbeat();
    }, ms);
    return () => clearInterval(timer);
  }

  private judgeNext(event: E): void {
    if (this.deliver(event, false) && this.body.writableLength > this.settings.maxBufferedBytes) this.end('too slow');
  }

  private async judge(event: E): Promise<void> {
    if (this.ended || event.seq <= this.lastSeq) return;
    if (event.seq > this.lastSeq + 1) await this.catchUp(event.seq);
    this.judgeNext(event);
  }

  /** Serialised, so a replay or gap fill finishes before the next live event is judged. */
  private enqueue(task: () => Promise<void>): void {
    this.pending++;
    this.queue = this.queue
      .then(task)
      .catch(() => this.end('could not catch up'))
      .finally(() => this.pending--);
  }

  /** An id ahead of the newest event (another auction's, or made up) would leave the client waiting forever. */
  private async clampToNewest(): Promise<void> {
    if (this.lastSeq <= 0) return;
    const newest = (await this.source.latestEvent())?.seq ?? 0;
    if (this.lastSeq > newest) this.lastSeq = newest;
  }

  /** Writes committed events after `lastSeq` from PostgreSQL: all of them, or up to `untilSeq`. */
  private async catchUp(untilSeq = Infinity): Promise<void> {
    if (this.lastSeq < 0) {
      const latest = await this.source.latestEvent();
      if (this.source.startWith === 'latest') {
        if (latest) this.deliver(latest, true);
        else this.lastSeq = 0;
      } else {
        // An id with no data dispatches nothing but sets EventSource's last event id, so a
        // reconnect resumes from here even before the first event (0: from the very first).
        this.lastSeq = latest?.seq ?? 0;
        this.write(`id: ${this.lastSeq}\n\n`);
      }
      return;
    }
    while (!this.ended && this.lastSeq < untilSeq) {
      const before = this.lastSeq;
      for (const event of await this.source.eventsAfter(this.lastSeq)) {
        if (this.deliver(event, true) && this.body.writableNeedDrain) await this.drained();
      }
      if (this.lastSeq === before) return;
    }
  }

  /** From the log (PostgreSQL) any later seq is next, in the log's order; live, only seq + 1 is. */
  private deliver(event: E, fromLog: boolean): boolean {
    if (this.lastSeq >= 0 && (fromLog ? event.seq <= this.lastSeq : event.seq !== this.lastSeq + 1)) return false;
    if (this.ended) return false;
    this.lastSeq = event.seq;
    this.write(frame(event));
    const lastWords = this.source.lastWords?.(event) ?? null;
    if (lastWords !== null) this.finish(lastWords);
    return true;
  }

  /**
   * Nothing follows the last event, so the stream ends without a reason or a retry hint.
   * EventSource reconnects anyway; the route answers that reconnect 204, which stops it.
   */
  private finish(comment: string): void {
    this.write(`: ${comment}\n\n`);
    this.end();
  }

  private drained(): Promise<void> {
    return Promise.race([new Promise<void>((resolve) => this.body.once('drain', resolve)), this.whenEnded]);
  }

  private write(chunk: string): void {
    if (this.ended) return;
    this.body.write(chunk);
  }
}
