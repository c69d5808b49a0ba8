import type { AccountDeps } from '../../domain/accounts/session.ts';
import { login } from '../../domain/accounts/login.ts';
import { confirmPhoneVerification, startPhoneVerification } from '../../domain/accounts/phone-verification.ts';
import { logout, refreshSession } from '../../domain/accounts/refresh.ts';
import { signup } from '../../domain/accounts/signup.ts';
import { User } from '../../domain/accounts/user.entity.ts';
import type { AppDeps } from '../context.ts';
import { presentMe, presentSession } from '../presenters/accounts.ts';
import { defineRoute, type Route } from '../route.ts';
import {
  ConfirmPhoneVerificationBody, LoginBody, Me, PhoneVerification, PhoneVerificationBody, RefreshBody, SessionResponse, SignupBody, VerifiedPhone,
} from '../schemas/accounts.ts';
import { IdParams } from '../schemas/common.ts';

export function accountRoutes(deps: AppDeps): Route[] {
  const account: AccountDeps = { accessTokens: deps.accessTokens, refreshTokenTtlS: deps.config.refreshTokenTtlS };
  const ttl = deps.config.jwt.accessTtlS;
  const tags = ['Accounts'];

  const phoneVerificationRequired = deps.config.phoneVerification.required;

  return [
    defineRoute(
      {
        method: 'post', path: '/v1/auth/phone-verifications', operationId: 'startPhoneVerification', summary: 'Send a 6-digit code to a phone by SMS', tags, auth: 'none',
        description: 'Codes sent are limited per phone number and per client address (429 with Retry-After). The code expires after PHONE_VERIFICATION_CODE_TTL_S.',
        body: PhoneVerificationBody,
        responses: { 201: { description: 'The code is on its way', schema: PhoneVerification } },
        problems: [400, 429, 503],
      },
      async ({ em, body, ctx }) => ({ status: 201, body: await startPhoneVerification(em, deps.phoneVerification, { phone: body.phone, address: ctx.ip }) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/auth/phone-verifications/:id/confirm', operationId: 'confirmPhoneVerification', summary: 'Trade the SMS code for a verification token', tags, auth: 'none',
        description: 'A wrong code is a 400 with `attemptsLeft`; after PHONE_VERIFICATION_MAX_ATTEMPTS tries, or once expired or confirmed, the verification is over (409).',
        params: IdParams,
        body: ConfirmPhoneVerificationBody,
        responses: { 200: { description: 'The phone is proved', schema: VerifiedPhone } },
        problems: [400, 404, 409],
      },
      async ({ em, params, body }) => ({ status: 200, body: await confirmPhoneVerification(em, deps.phoneVerification, { id: params.id, code: body.code }) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/auth/signup', operationId: 'signup', summary: 'Create an account', tags, auth: 'none',
        description:
          'Needs the `verificationToken` of a confirmed phone verification for the same phone, unless PHONE_VERIFICATION=off. ' +
          'Signups are limited per client address (429 with Retry-After); the password must be hard to guess (zxcvbn score 3 of 4).',
        body: SignupBody,
        responses: { 201: { description: 'Signed up and logged in', schema: SessionResponse } },
        problems: [400, 409, 429],
      },
      async ({ em, body, ctx }) => ({
        status: 201,
        body: presentSession(await signup(em, { ...account, phoneVerificationRequired, signupThrottle: deps.signupThrottle }, { ...body, address: ctx.ip }), ttl),
      }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/auth/login', operationId: 'login', summary: 'Log in with phone and password', tags, auth: 'none',
        body: LoginBody,
        description: 'Failed attempts are limited per phone number and per client address (429 with Retry-After).',
        responses: { 200: { description: 'Logged in', schema: SessionResponse } },
        problems: [400, 401, 429],
      },
      async ({ em, body, ctx }) => ({
        status: 200,
        body: presentSession(await login(em, { ...account, loginThrottle: deps.loginThrottle }, { ...body, address: ctx.ip }), ttl),
      }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/auth/refresh', operationId: 'refresh', tags, auth: 'none',
        summary: 'Trade a refresh token for a new pair',
        description: 'Each refresh token works once. Presenting a spent one revokes every token of its login.',
        body: RefreshBody,
        responses: { 200: { description: 'A new token pair', schema: SessionResponse } },
        problems: [400, 401],
      },
      async ({ em, body }) => ({ status: 200, body: presentSession(await refreshSession(em, { ...account, followUps: deps.followUps }, body.refreshToken), ttl) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/auth/logout', operationId: 'logout', tags, auth: 'none',
        description: 'Revokes the refresh token sent and every other token of the same login; an unknown token is not an error (204).',
        summary: 'Revoke a refresh token and every token of its login',
        body: RefreshBody,
        responses: { 204: { description: 'Logged out (also when the token was unknown)' } },
        problems: [400],
      },
      async ({ em, body }) => {
        await logout(em, deps.followUps, body.refreshToken);
        return { status: 204 };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/me', operationId: 'getMe', summary: 'The caller', tags, auth: 'required',
        description: 'The account behind the access token in `Authorization: Bearer <accessToken>`.',
        responses: { 200: { description: 'The caller', schema: Me } },
        problems: [401],
      },
      async ({ em, caller }) => {
        const user = await em.findOneOrFail(User, caller.userId);
        return { status: 200, body: presentMe(user) };
      },
    ),
  ];
}
