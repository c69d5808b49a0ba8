/** Money is a whole number of KRW won; anything else (fractions, NaN, beyond 2^53) is rejected. */
export function isPositiveWon(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
