import { isPrice } from '../shared/money.ts';

/**
 * An auction amount (start, reserve or buy-now price, bid, proxy maximum): a whole number of KRW
 * won from 1 up to the ceiling, MAX_PRICE. Anything else (fractions, NaN, beyond the ceiling) is refused.
 */
export function isPositiveWon(value: number): boolean {
  return isPrice(value, 1);
}
