import { invalid } from '../errors.ts';
import { incrementTable } from '../auctions/increment-table.ts';

/**
 * The ceiling of money: the one declaration that the request and response schemas
 * (`api/schemas/common.ts`), the rules and the database's CHECK constraints (migration
 * `Migration20261201020000_money_ceiling`, tested against these numbers) all follow.
 *
 * The largest amount gavel ever shows: far below 2^53, so every amount stays exact in a JSON
 * number and in a bigint column.
 */
export const MAX_WON = 1_000_000_000_000;

/** The most the published increment table ever adds to a price to make the next minimum bid. */
const LARGEST_INCREMENT = Math.max(...incrementTable.map((band) => band.increment));

/**
 * The largest price anything may be given or reach: a listing's price, an auction's start, reserve
 * and buy-now price, a bid, a proxy maximum. It sits one largest increment below MAX_WON so that the
 * minimum next bid over any price is still an amount gavel can show.
 */
export const MAX_PRICE = MAX_WON - LARGEST_INCREMENT;

/** Whole won from `min` to MAX_PRICE; fractions, NaN, infinities and amounts above the ceiling are no price. */
export function isPrice(value: number, min = 0): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= MAX_PRICE;
}

/** For callers below HTTP (whose schemas refuse the same first): a 400 naming the field and the range. */
export function assertPrice(value: number, field: string, code: string, min = 0): void {
  if (!isPrice(value, min)) {
    throw invalid(code, `${field} must be a whole number of won from ${min} to ${MAX_PRICE}.`, { maxPrice: MAX_PRICE });
  }
}
