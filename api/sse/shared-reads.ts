import type { SequencedEvent, StreamSource } from './event-stream.ts';

/** How long a fact about a topic (it exists, its closing seq) is shared after it came back. */
export const SHARED_READ_MS = 1000;
/**
 * How long a log read of a live topic is shared: its age does not matter while the topic stays
 * live here (the recent events bring it up to date), only that the recent events still join it.
 */
export const SHARED_LOG_READ_MS = 10_000;
/** Live events kept per topic, to bring a shared answer up to date. */
const RECENT_EVENTS = 256;
const MAX_ENTRIES = 20_000;

export interface SharedReadCounter {
  inc(labels: { served: 'database' | 'shared' }): void;
}

interface TopicState {
  /** Streams of this topic whose live subscription is confirmed. */
  live: number;
  /** Changes whenever the topic stops being live here; answers read in another epoch are not shared. */
  epoch: number;
  /** The live events seen since the topic became live here, newest last (at most RECENT_EVENTS). */
  recent: SequencedEvent[];
}

interface Entry {
  value: Promise<unknown>;
  at: number;
  topic: string;
  /** The topic's epoch when the read began, or null when it was not live then (never shared). */
  epoch: number | null;
}

/**
 * The reads thousands of streams opening at once would each repeat (after a Redis blip every
 * client of an auction reconnects with about the same Last-Event-ID): one query per question per
 * process, shared with the streams that ask meanwhile or soon after.
 *
 * Why a shared answer is complete: it is shared only if its topic was live here (some local
 * stream subscribed, without a break) since before the read began. Every event committed before
 * the read is in the answer; every event published after it reached this process live and is in
 * `recent`; the two together, if they join without a gap, are everything up to now, however
 * late the stream asking subscribed. When they do not join, the stream gets a read of its own.
 * Only this process's answers are kept, so no other instance needs them.
 */
export class SharedReads {
  private readonly entries = new Map<string, Entry>();
  private readonly topics = new Map<string, TopicState>();
  private readonly counter: SharedReadCounter | undefined;
  private epochs = 0;

  constructor(counter?: SharedReadCounter) {
    this.counter = counter;
  }

  /** `source` with its log reads shared, keyed by its topic. */
  source<E extends SequencedEvent>(source: StreamSource<E>): StreamSource<E> {
    const { topic } = source;
    return {
      ...source,
      eventsAfter: async (afterSeq) => {
        const key = `${topic}:after:${afterSeq}`;
        const read = this.sharedOrLoad(key, topic, () => source.eventsAfter(afterSeq));
        const page = await read.value;
        if (!read.shared) return page;
        const tail = this.joiningTail(topic, page.at(-1)?.seq ?? afterSeq);
        if (tail) return tail.length ? [...page, ...(tail as E[])] : page;
        return this.load(key, topic, () => source.eventsAfter(afterSeq));
      },
      latestEvent: async () => {
        const key = `${topic}:latest`;
        const read = this.sharedOrLoad(key, topic, () => source.latestEvent());
        const latest = await read.value;
        if (!read.shared) return latest;
        const tail = this.joiningTail(topic, latest?.seq ?? 0);
        if (tail) return (tail.at(-1) as E | undefined) ?? latest;
        return this.load(key, topic, () => source.latestEvent());
      },
      onLive: (event) => {
        this.seen(topic, event);
        source.onLive?.(event);
      },
      onLiveChange: (live) => {
        this.liveChange(topic, live);
        source.onLiveChange?.(live);
      },
    };
  }

  /**
   * A fact about a topic that changes rarely and where a second's delay costs nothing (whether
   * an auction exists; the seq of its `closed` event, which a stream delivers itself anyway).
   */
  read<T>(topic: string, key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.at < SHARED_READ_MS) {
      this.counter?.inc({ served: 'shared' });
      return entry.value as Promise<T>;
    }
    return this.load(key, topic, load, true);
  }

  /** The live events after `seq`, if what is held joins it without a gap; null if it does not. */
  private joiningTail(topic: string, seq: number): SequencedEvent[] | null {
    const recent = this.topics.get(topic)?.recent ?? [];
    const start = recent.findIndex((e) => e.seq > seq);
    if (start < 0) return [];
    const tail = recent.slice(start);
    return tail.every((e, i) => e.seq === seq + 1 + i) ? tail : null;
  }

  /**
   * The answer to share if there is one, else a new read; decided synchronously, so streams that
   * ask in the same moment (their subscriptions confirmed together) share the one read.
   */
  private sharedOrLoad<T>(key: string, topic: string, load: () => Promise<T>): { value: Promise<T>; shared: boolean } {
    const entry = this.entries.get(key);
    const state = this.topics.get(topic);
    if (entry && state && state.live > 0 && entry.epoch === state.epoch && Date.now() - entry.at < SHARED_LOG_READ_MS) {
      this.counter?.inc({ served: 'shared' });
      // A shared read that failed is read again by whoever asks.
      return { value: (entry.value as Promise<T>).catch(() => this.load(key, topic, load)), shared: true };
    }
    return { value: this.load(key, topic, load), shared: false };
  }

  private load<T>(key: string, topic: string, load: () => Promise<T>, always = false): Promise<T> {
    this.counter?.inc({ served: 'database' });
    const state = this.topics.get(topic);
    const value = load();
    const entry: Entry = { value, at: Date.now(), topic, epoch: always ? 0 : state && state.live > 0 ? state.epoch : null };
    this.entries.delete(key);
    this.entries.set(key, entry);
    // A failed read is not shared: the next stream asks again.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.evict();
    return value;
  }

  private seen(topic: string, event: SequencedEvent): void {
    const state = this.topics.get(topic);
    if (!state || state.live === 0 || typeof event.seq !== 'number') return;
    const last = state.recent.at(-1);
    if (last && event.seq <= last.seq) return;
    state.recent.push(event);
    if (state.recent.length > RECENT_EVENTS) state.recent.shift();
  }

  private liveChange(topic: string, live: boolean): void {
    let state = this.topics.get(topic);
    if (!state) {
      if (!live) return;
      state = { live: 0, epoch: ++this.epochs, recent: [] };
      this.topics.set(topic, state);
    }
    state.live += live ? 1 : -1;
    if (state.live <= 0) this.topics.delete(topic);
  }

  private evict(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && now - entry.at < SHARED_LOG_READ_MS) break;
      this.entries.delete(key);
    }
  }
}
