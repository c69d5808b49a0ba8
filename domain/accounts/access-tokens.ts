import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { validate as isUuid } from 'uuid';
import { unauthorized } from '../errors.ts';
import type { Role } from './user.entity.ts';

export interface Caller {
  userId: string;
  role: Role;
  /** The login (refresh token family) the token belongs to: closing it ends that login's streams. */
  sessionId?: string;
}

export interface AccessTokenSettings {
  secret: string;
  accessTtlS: number;
  issuer: string;
  audience: string;
}

export interface AccessTokens {
  issue(caller: Caller): string;
  verify(token: string): Caller;
}

const ALGORITHM = 'HS256';

/** Short-lived JWTs. Verification pins the algorithm, so `alg: none` or RS/HS confusion cannot pass. */
export function createAccessTokens(settings: AccessTokenSettings): AccessTokens {
  // Given a string, jsonwebtoken builds a key object on every call (3 % of an API's CPU under bids).
  const key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
  return {
    issue: ({ userId, role, sessionId }) =>
      jwt.sign(sessionId ? { role, sid: sessionId } : { role }, key, {
        algorithm: ALGORITHM,
        subject: userId,
        expiresIn: settings.accessTtlS,
        issuer: settings.issuer,
        audience: settings.audience,
      }),
    verify(token) {
      let payload: string | jwt.JwtPayload;
      try {
        payload = jwt.verify(token, key, {
          algorithms: [ALGORITHM],
          issuer: settings.issuer,
          audience: settings.audience,
        });
      } catch {
        throw unauthorized('invalid-token', 'The access token is invalid or expired.');
      }
      // A token must end (jsonwebtoken checks `exp` only when present) and name an account id: a
      // subject that is no UUID is a bad token, not a database error.
      if (
        typeof payload === 'string' ||
        typeof payload.exp !== 'number' ||
        typeof payload.sub !== 'string' ||
        !isUuid(payload.sub) ||
        (payload.role !== 'user' && payload.role !== 'admin') ||
        (payload.sid !== undefined && (typeof payload.sid !== 'string' || !isUuid(payload.sid)))
      ) {
        throw unauthorized('invalid-token', 'The access token is invalid or expired.');
      }
      return { userId: payload.sub, role: payload.role, ...(payload.sid ? { sessionId: payload.sid as string } : {}) };
    },
  };
}
