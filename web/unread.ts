/** The unread notice count the header shows; the inbox and the live stream move it. */
let count = 0;
const listeners = new Set<() => void>();

export const unread = {
  get: () => count,
  set(value: number): void {
    count = Math.max(0, value);
    for (const listener of listeners) listener();
  },
  onChange(listener: () => void): void {
    listeners.add(listener);
  },
};
