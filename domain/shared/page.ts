export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Queries fetch `limit + 1` rows; the extra row only tells whether another page exists. */
export function toPage<Row, T>(rows: Row[], limit: number, map: (row: Row) => T, cursorOf: (row: Row) => string): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(map), nextCursor: hasMore && last ? cursorOf(last) : null };
}
