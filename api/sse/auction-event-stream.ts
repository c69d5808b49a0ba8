import { PassThrough } from 'node:stream';
import type { AuctionEventData } from '../../domain/auctions/auction-events.ts';
import type { AuctionEventHub } from './auction-event-hub.ts';

export interface StreamSettings {
  heartbeatMs: number;
  /** Hint sent with `retry:`: how long a client waits before reconnecting. */
  retryMs: number;
  /** A client that has let this many bytes pile up unread is cut off rather than buffered. */
  maxBufferedBytes: number;
}

export interface StreamSource {
  auctionId: string;
  hub: AuctionEventHub;
  /** Committed events of the auction with seq > afterSeq, in order (from PostgreSQL). */
  eventsAfter(afterSeq: number): Promise<AuctionEventData[]>;
  /** The newest committed event, for a client that brings no Last-Event-ID. */
  latestEvent(): Promise<AuctionEventData | null>;
}

const frame = (event: AuctionEventData) => `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/**
 * One client's stream of one auction's events, gap-free and without duplicates:
 *   1. subscribe to the live channel first and hold what arrives;
 *   2. replay from PostgreSQL everything after the client's Last-Event-ID;
 *   3. release the held events, then pass live ones through.
 * Every event is written only if its seq is exactly the next one; a live event that skips ahead
 * (a publish that was lost or is late) makes the stream fetch the missing ones from PostgreSQL.
 */
export class AuctionEventStream {
  readonly body = new PassThrough();
  private lastSeq: number;
  private held: AuctionEventData[] | null = [];
  private filling: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private stopDisconnectWatch: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private ended = false;
  private readonly source: StreamSource;
  private readonly settings: StreamSettings;
  private readonly hooks: { onEnd(): void; onHeartbeat(): void };

  constructor(source: StreamSource, settings: StreamSettings, lastSeq: number | null, hooks: { onEnd(): void; onHeartbeat(): void }) {
    this.source = source;
    this.settings = settings;
    this.lastSeq = lastSeq ?? -1;
    this.hooks = hooks;
    this.body.on('close', () => this.end());
  }

  async start(): Promise<void> {
    this.write(`retry: ${this.settings.retryMs}\n: connected\n\n`);
    try {
      this.stopDisconnectWatch = this.source.hub.onDisconnect(() => this.end('live updates interrupted'));
      this.unsubscribe = await this.source.hub.subscribe(this.source.auctionId, (event) => this.receive(event));
    } catch {
      // No live channel (Redis is down): send what PostgreSQL has, then ask the client to come back.
      await this.replay();
      this.end('live updates unavailable');
      return;
    }
    await this.replay();
    const held = this.held ?? [];
    this.held = null;
    for (const event of held) this.receive(event);
    this.heartbeat = setInterval(() => {
      this.write(': ping\n\n');
      this.hooks.onHeartbeat();
    }, this.settings.heartbeatMs);
  }

  /** Ends the stream with a `retry:` hint, so the client reconnects (to this or another instance). */
  end(reason?: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.unsubscribe?.();
    this.stopDisconnectWatch?.();
    if (reason && this.body.writable) this.body.write(`: ${reason}\nretry: ${this.settings.retryMs}\n\n`);
    this.body.end();
    this.hooks.onEnd();
  }

  private async replay(): Promise<void> {
    if (this.lastSeq < 0) {
      const latest = await this.source.latestEvent();
      if (latest) this.deliver(latest);
      else this.lastSeq = 0;
      return;
    }
    for (const event of await this.source.eventsAfter(this.lastSeq)) this.deliver(event);
  }

  private receive(event: AuctionEventData): void {
    if (this.held) {
      this.held.push(event);
      return;
    }
    // Serialised, so a gap fill finishes before the next live event is judged.
    this.filling = this.filling.then(async () => {
      if (this.ended || event.seq <= this.lastSeq) return;
      if (event.seq > this.lastSeq + 1) {
        for (const missing of await this.source.eventsAfter(this.lastSeq)) this.deliver(missing);
      }
      this.deliver(event);
    }).catch(() => this.end('could not catch up'));
  }

  private deliver(event: AuctionEventData): void {
    if (this.lastSeq >= 0 && event.seq !== this.lastSeq + 1) return;
    this.lastSeq = event.seq;
    this.write(frame(event));
  }

  private write(chunk: string): void {
    if (this.ended) return;
    this.body.write(chunk);
    if (this.body.writableLength > this.settings.maxBufferedBytes) this.end('too slow');
  }
}
