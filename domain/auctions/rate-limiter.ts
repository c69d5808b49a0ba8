/** A port: the bid path asks whether a user may act now; adapters (Redis) decide. */
export interface RateLimiter {
  /** Throws a `rate_limited` DomainError (with `retryAfterS`) when the user is over the limit. */
  consume(key: string): Promise<void>;
}
