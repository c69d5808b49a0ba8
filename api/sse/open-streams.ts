/** The streams this process serves, so shutdown can end each with a reconnect hint. */
export interface Endable {
  end(reason?: string): void;
}

export class OpenStreams {
  private readonly streams = new Set<Endable>();

  add(stream: Endable): () => void {
    this.streams.add(stream);
    return () => {
      this.streams.delete(stream);
    };
  }

  get size(): number {
    return this.streams.size;
  }

  endAll(reason: string): void {
    for (const stream of [...this.streams]) stream.end(reason);
  }
}
