/**
 * A port: limits password guessing, per phone number (one account attacked from many places)
 * and per client address (one place trying many accounts). Implemented over Redis in infra/.
 *
 * An attempt is counted before its password is checked, in one atomic step per key, so a burst of
 * parallel attempts gets at most the limit's worth of password checks; a correct password then
 * gives the attempt back, so only failures use up the allowance.
 */
export interface LoginThrottle {
  /**
   * Spends one attempt of the phone's and of the address's allowance. Throws a `rate_limited`
   * DomainError (with `retryAfterS`) when either is used up; then nothing more is spent.
   */
  attempt(phone: string, address: string): Promise<LoginAttempt>;
}

export interface LoginAttempt {
  /** The password was right: the phone's failures are cleared and the address gets its attempt back. */
  succeeded(): Promise<void>;
}
