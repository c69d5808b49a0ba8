/**
 * A port: limits password guessing, per phone number (one account attacked from many places)
 * and per client address (one place trying many accounts). Implemented over Redis in infra/.
 */
export interface LoginThrottle {
  /** Throws a `rate_limited` DomainError (with `retryAfterS`) while either key is blocked. */
  check(phone: string, address: string): Promise<void>;
  recordFailure(phone: string, address: string): Promise<void>;
  /** A successful login clears the phone's failures (the address keeps its count). */
  recordSuccess(phone: string): Promise<void>;
}
