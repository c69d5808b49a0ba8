import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { invalid } from '../errors.ts';

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

/**
 * The estimator's time grows with length (a 128-digit string takes a quarter second), so only the
 * first 40 characters are judged: a password whose first 40 are hard to guess is hard to guess.
 * The signup use case runs it only after the per-address signup limit has counted the attempt.
 */
const ESTIMATED_PREFIX = 40;

export function isStrongPassword(password: string, userInputs: string[] = []): boolean {
  return estimator.check([...password].slice(0, ESTIMATED_PREFIX).join(''), ['gavel', ...userInputs]).score >= MIN_PASSWORD_SCORE;
}

/** The refusal, shaped like a schema error so clients handle both alike. */
export const weakPassword = () =>
  invalid('validation-failed', 'The request does not match the schema.', {
    errors: [{ in: 'body', path: 'password', message: 'is too easy to guess (a common password, a pattern, a repeat or a sequence, or your phone number or nickname); use a few unrelated words' }],
  });
