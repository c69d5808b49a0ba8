/**
 * At most `limit` holders per key at a time in this process; the rest wait their turn in order.
 * Bids on one hot auction queue here, cheaply, instead of in PostgreSQL as lock waiters, each
 * holding a pooled connection (PostgreSQL's throughput on one row drops as its waiters pile up).
 * Per process only: each instance lets its own few through, and the row lock still decides.
 */
export interface KeyedGate {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export function createKeyedGate(limit: number): KeyedGate {
  const lanes = new Map<string, { running: number; waiting: Array<() => void> }>();
  return {
    async run(key, work) {
      if (limit <= 0) return work();
      let lane = lanes.get(key);
      if (!lane) {
        lane = { running: 0, waiting: [] };
        lanes.set(key, lane);
      }
      if (lane.running >= limit) await new Promise<void>((resolve) => lane!.waiting.push(resolve));
      else lane.running++;
      try {
        return await work();
      } finally {
        // The slot passes straight to the next waiter, so the count never dips below the limit.
        const next = lane.waiting.shift();
        if (next) next();
        else if (--lane.running === 0) lanes.delete(key);
      }
    },
  };
}
