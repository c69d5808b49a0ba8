import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { RateLimiter } from '../auctions/rate-limiter.ts';
import { conflict, invalid } from '../errors.ts';
import { isStrongPassword, weakPassword } from './password-strength.ts';
import { hashPassword } from './passwords.ts';
import { spendVerificationToken } from './phone-verification.ts';
import { openSession, type AccountDeps, type Session } from './session.ts';
import { User } from './user.entity.ts';

export interface SignupInput {
  phone: string;
  password: string;
  nickname: string;
  verificationToken?: string | undefined;
}

export async function signup(
  em: EntityManager,
  deps: AccountDeps & { phoneVerificationRequired: boolean; signupThrottle: RateLimiter },
  input: SignupInput & { address: string },
): Promise<Session> {
  // Counted before any work (and before the phone is known to be free): at most the limit per address.
  await deps.signupThrottle.consume(input.address);
  if (deps.phoneVerificationRequired && !input.verificationToken) {
    throw invalid('verification-token-required', 'Prove the phone number first: POST /v1/auth/phone-verifications, then confirm the code.');
  }
  // Estimating strength costs CPU (tens of ms): only for attempts the limit let through.
  if (!isStrongPassword(input.password, [input.phone, input.nickname])) throw weakPassword();
  const passwordHash = await hashPassword(input.password);
  try {
    return await em.transactional(async (tx) => {
      // A token given while verification is off is still checked: it is never accepted unproven.
      if (input.verificationToken) await spendVerificationToken(tx, input.phone, input.verificationToken);
      const user = tx.create(User, { phone: input.phone, passwordHash, nickname: input.nickname });
      return openSession(tx, deps, user);
    });
  } catch (error) {
    // The unique index decides, so two simultaneous signups with one phone cannot both succeed.
    if (error instanceof UniqueConstraintViolationException) {
      throw conflict('phone-taken', 'An account with this phone number already exists.');
    }
    throw error;
  }
}
