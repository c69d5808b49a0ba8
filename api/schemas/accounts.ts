import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

export const Phone = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 phone number such as +821012345678')
  .meta({ example: '+821012345678' });

const Password = z.string().min(8).max(128);

const VerificationToken = z.string().min(1).max(200).meta({ description: 'From confirming a phone verification; optional only while PHONE_VERIFICATION=off.' });

export const SignupBody = z.strictObject({
  phone: Phone,
  password: Password,
  nickname: z.string().trim().min(2).max(20),
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
  .object({ id: Id, phone: Phone, nickname: z.string(), role: z.enum(['user', 'admin']), createdAt: Timestamp })
  .meta({ id: 'Me' });

export const SessionResponse = z
  .object({ accessToken: z.string(), refreshToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int(), user: Me })
  .meta({ id: 'Session' });
