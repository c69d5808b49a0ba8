import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, conflict, invalid, notFound } from '../errors.ts';
import { SmsDeliveryError, type SmsSender } from '../notifications/sms-sender.ts';
import { newId } from '../shared/ids.ts';

export interface PhoneVerificationSettings {
  /** `PHONE_VERIFICATION=required`: signup needs a verification token. */
  required: boolean;
  codeTtlS: number;
  maxAttempts: number;
  tokenTtlS: number;
}

/**
 * A port: limits how many codes go out, per phone (nobody floods one line) and per client address
 * (nobody sends to many lines from one place). Counting comes first and decides, so a burst cannot
 * slip past it (implemented over Redis in infra/).
 */
export interface VerificationSendThrottle {
  /** Throws a `rate_limited` DomainError (with `retryAfterS`) once either count is over its limit. */
  consume(phone: string, address: string): Promise<void>;
}

export interface PhoneVerificationDeps {
  sms: SmsSender;
  sendThrottle: VerificationSendThrottle;
  /** HMAC key for codes at rest: a server secret, so a leaked table cannot be brute-forced offline. */
  codeKey: Buffer;
  settings: PhoneVerificationSettings;
}

const hashCode = (key: Buffer, id: string, code: string) => createHmac('sha256', key).update(`${id}:${code}`).digest('hex');
export const hashVerificationToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const verificationSms = (code: string, ttlS: number) =>
  `[gavel] 인증번호 ${code} (${Math.max(1, Math.round(ttlS / 60))}분 안에 입력하세요). 누구에게도 알려주지 마세요.`;

/** Sends a fresh 6-digit code to `phone`; the code itself is never stored. */
export async function startPhoneVerification(
  em: EntityManager,
  deps: PhoneVerificationDeps,
  input: { phone: string; address: string },
): Promise<{ id: string; expiresAt: string }> {
  await deps.sendThrottle.consume(input.phone, input.address);
  const id = newId();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const [row] = await em.execute<{ expires_at: Date }[]>(
    `insert into phone_verifications (id, phone, code_hash, expires_at) values (?, ?, ?, now() + make_interval(secs => ?)) returning expires_at`,
    [id, input.phone, hashCode(deps.codeKey, id, code), deps.settings.codeTtlS],
  );
  try {
    await deps.sms.send(input.phone, verificationSms(code, deps.settings.codeTtlS));
  } catch (error) {
    // A code that never left must not be confirmable later by someone who guesses it.
    await em.execute(`delete from phone_verifications where id = ?`, [id]);
    const delivery = error instanceof SmsDeliveryError ? error : new SmsDeliveryError(String(error), 'unknown', true);
    if (!delivery.retryable) throw invalid('phone-unreachable', 'No SMS can be delivered to this phone number.');
    throw new DomainError('unavailable', 'sms-unavailable', 'The code could not be sent just now; try again shortly.', { retryAfterS: 30 });
  }
  return { id, expiresAt: new Date(row!.expires_at).toISOString() };
}

const ended = () => conflict('phone-verification-ended', 'This verification has expired, was already confirmed, or had too many wrong codes; start a new one.');

/**
 * Trades the right code for a verification token. Every attempt is counted before the code is
 * compared, in one statement, so however many guesses arrive at once, at most `maxAttempts` are judged.
 */
export async function confirmPhoneVerification(
  em: EntityManager,
  deps: Pick<PhoneVerificationDeps, 'codeKey' | 'settings'>,
  input: { id: string; code: string },
): Promise<{ verificationToken: string }> {
  const [attempt] = await em.execute<{ code_hash: string; attempts: number }[]>(
    `update phone_verifications set attempts = attempts + 1
     where id = ? and confirmed_at is null and expires_at > now() and attempts < ?
     returning code_hash, attempts`,
    [input.id, deps.settings.maxAttempts],
  );
  if (!attempt) {
    const [exists] = await em.execute(`select 1 from phone_verifications where id = ?`, [input.id]);
    throw exists ? ended() : notFound('phone verification', 'phone-verification-not-found');
  }
  const expected = Buffer.from(attempt.code_hash, 'hex');
  const given = Buffer.from(hashCode(deps.codeKey, input.id, input.code), 'hex');
  if (!timingSafeEqual(expected, given)) {
    const attemptsLeft = deps.settings.maxAttempts - attempt.attempts;
    throw invalid('verification-code-wrong', attemptsLeft > 0 ? 'The code is wrong.' : 'The code is wrong, and that was the last try: start a new verification.', { attemptsLeft });
  }
  const token = randomBytes(32).toString('base64url');
  const [confirmed] = await em.execute(
    `update phone_verifications set confirmed_at = now(), token_hash = ?, token_expires_at = now() + make_interval(secs => ?)
     where id = ? and confirmed_at is null returning id`,
    [hashVerificationToken(token), deps.settings.tokenTtlS, input.id],
  );
  if (!confirmed) throw ended();
  return { verificationToken: token };
}

/**
 * Spends a verification token for `phone` inside the signup's transaction: a rolled-back signup
 * leaves it unspent, and two signups with one token cannot both succeed (the row update decides).
 */
export async function spendVerificationToken(tx: EntityManager, phone: string, token: string): Promise<void> {
  const [spent] = await tx.execute(
    `update phone_verifications set used_at = now()
     where token_hash = ? and phone = ? and used_at is null and token_expires_at > now() returning id`,
    [hashVerificationToken(token), phone],
  );
  if (!spent) throw invalid('verification-token-invalid', 'The verification token is unknown, expired, already used, or for another phone number.');
}

/** Verifications a day past their code's and their token's expiry prove nothing any more: the sweep removes them. */
export async function purgeEndedPhoneVerifications(em: EntityManager, limit = 1000): Promise<number> {
  const rows = await em.execute(
    `delete from phone_verifications where id in (
       select id from phone_verifications
       where greatest(expires_at, coalesce(token_expires_at, expires_at)) < now() - interval '1 day' limit ?)
     returning id`,
    [limit],
  );
  return rows.length;
}
