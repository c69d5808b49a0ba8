import { v7 } from 'uuid';

/** Time-ordered UUIDs keep B-tree inserts at the right edge of the index and sort by creation. */
export const newId = (): string => v7();
