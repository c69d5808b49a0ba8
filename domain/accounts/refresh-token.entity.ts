import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../shared/ids.ts';
import { User } from './user.entity.ts';

/**
 * Only the SHA-256 of a refresh token is stored. Tokens issued from one login share a `familyId`,
 * so presenting a spent token can revoke every token descended from that login.
 */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    // A relation (not a bare id) so the unit of work inserts a new user before its first token.
    user: () => p.manyToOne(User),
    familyId: p.uuid(),
    tokenHash: p.string().unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type RefreshToken = InferEntity<typeof RefreshToken>;
