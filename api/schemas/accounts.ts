import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

export const Phone = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 phone number such as +821012345678')
  .meta({ example: '+821012345678' });

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
 * sequences (👨‍👩‍👧) are made of it.
 */
const Nickname = z
  .string()
  .trim()
  .min(2)
  .max(20)
  .regex(/^(?:\u200D|[^\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}])*$/u, 'must not contain control, bidi or invisible characters');

export const SignupBody = z.strictObject({
  phone: Phone,
  password: Password,
  nickname: Nickname,
});

export const LoginBody = z.strictObject({ phone: Phone, password: z.string().min(1).max(128) });

export const RefreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });

/** The caller's own account: the only place a full phone number is shown. */
export const Me = z
  .object({ id: Id, phone: Phone, nickname: z.string(), role: z.enum(['user', 'admin']), createdAt: Timestamp })
  .meta({ id: 'Me' });

export const SessionResponse = z
  .object({ accessToken: z.string(), refreshToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int(), user: Me })
  .meta({ id: 'Session' });
