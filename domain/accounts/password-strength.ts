import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

/**
 * Password strength, estimated by zxcvbn (`@zxcvbn-ts/core` with its common-password, name and
 * keyboard dictionaries): it counts the guesses a cracker needs for the password's weakest
 * reading (a common password, a date, a repeat, a sequence, a keyboard walk, l33t), not which
 * character classes it has. Score 3 of 4 is zxcvbn's "safely unguessable" (about 10^8 guesses
 * and up), which `12345678`, `password` or eight spaces are far from; a passphrase of a few words
 * is well above it.
 */
export const MIN_PASSWORD_SCORE = 3;

const estimator = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });

/** The estimator's time grows with length; longer input is refused by the length limit first. */
const MAX_ESTIMATED_LENGTH = 128;

export function isStrongPassword(password: string, userInputs: string[] = []): boolean {
  if (password.length > MAX_ESTIMATED_LENGTH) return true;
  return estimator.check(password, ['gavel', ...userInputs]).score >= MIN_PASSWORD_SCORE;
}
