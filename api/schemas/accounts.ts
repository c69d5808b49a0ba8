import { z } from 'zod';
import { normalisePhone } from '../../domain/accounts/phone-number.ts';
import { Id, Timestamp } from './common.ts';

const E164 = z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 phone number such as +821012345678');

/** A phone number sent in: a real number, turned into its one E.164 spelling before any use case sees it. */
export const Phone = E164.refine((phone) => normalisePhone(phone) !== null, 'is not a valid phone number')
  .overwrite((phone) => normalisePhone(phone) ?? phone)
  .meta({ example: '+821012345678', description: 'E.164; normalised, so `+82010...` and `+8210...` are one number.' });

/** A stored phone number shown to its owner. */
const StoredPhone = E164.meta({ example: '+821012345678' });

// Strength is judged by the signup use case (after the signup limit), not here: see password-strength.ts.
const Password = z
  .string()
  .min(8)
  .max(128)
  .meta({ description: 'At least 8 characters, and hard to guess: checked with the zxcvbn estimator (score 3 of 4).' });

/**
 * Shown to others next to listings and bids: no control characters, no bidi overrides or
 * isolates (which would reorder the text around it), no zero-width or other invisible format
 * characters, no line or paragraph separators. The zero-width joiner alone is let through: emoji
 * sequences (👨‍👩‍👧) are made of it. The published pattern names the BMP code points (so it reads the
 * same with or without the `u` flag); the refinement adds every other format, private-use and
 * unassigned code point by Unicode category.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is how this refuses them
const NICKNAME_CHARS = /^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B\u200C\u200E\u200F\u2028-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]{2,20}$/;
const NICKNAME_MESSAGE = 'must not contain control, bidi or invisible characters';
const Nickname = z
  .string()
  .trim()
  .min(2)
  .max(20)
  .regex(NICKNAME_CHARS, NICKNAME_MESSAGE)
  .refine((nickname) => !/(?!\u200D)[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u.test(nickname), {
    message: NICKNAME_MESSAGE,
    // One message for one bad character: only what the pattern let through is looked at again.
    when: (payload) => payload.issues.length === 0,
  });

const VerificationToken = z.string().min(1).max(200).meta({ description: 'From confirming a phone verification; optional only while PHONE_VERIFICATION=off.' });

export const SignupBody = z.strictObject({
  phone: Phone,
  password: Password,
  nickname: Nickname,
  verificationToken: VerificationToken.optional(),
});

export const PhoneVerificationBody = z.strictObject({ phone: Phone });

export const PhoneVerification = z
  .object({ id: Id, expiresAt: Timestamp })
  .meta({ id: 'PhoneVerification', description: 'A 6-digit code went to the phone by SMS; confirm it before `expiresAt`.' });

export const ConfirmPhoneVerificationBody = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'must be the 6 digits sent by SMS') });

export const VerifiedPhone = z
  .object({ verificationToken: z.string() })
  .meta({ id: 'VerifiedPhone', description: 'Send as `verificationToken` with the signup for the same phone; single-use.' });

export const LoginBody = z.strictObject({ phone: Phone, password: z.string().min(1).max(128) });

export const RefreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });

/** The caller's own account: the only place a full phone number is shown. */
export const Me = z
  .object({ id: Id, phone: StoredPhone, nickname: z.string(), role: z.enum(['user', 'admin']), createdAt: Timestamp })
  .meta({ id: 'Me' });

export const SessionResponse = z
  .object({ accessToken: z.string(), refreshToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int(), user: Me })
  .meta({ id: 'Session' });
