/**
 * Gathers the calls made within one turn of the event loop and runs them as one batch, on the
 * next turn (setImmediate): under load many requests finish their commits in the same turn, and
 * their follow-up statements (marking outbox rows published, say) become one statement instead
 * of one each. Each caller's promise settles with its batch. A lone call waits no timer, only the
 * rest of the current turn.
 */
export function microBatch<T>(run: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let pending: { items: T[]; done: Promise<void> } | null = null;
  return (item) => {
    if (!pending) {
      const batch = { items: [] as T[], done: null as unknown as Promise<void> };
      batch.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        if (pending === batch) pending = null;
        return run(batch.items);
      });
      pending = batch;
    }
    pending.items.push(item);
    return pending.done;
  };
}
