import type { Session } from '../../domain/accounts/session.ts';
import type { User } from '../../domain/accounts/user.entity.ts';

export const presentMe = (user: User) => ({
  id: user.id,
  phone: user.phone,
  nickname: user.nickname,
  role: user.role,
  createdAt: user.createdAt.toISOString(),
});

export const presentSession = (session: Session, expiresIn: number) => ({
  accessToken: session.accessToken,
  refreshToken: session.refreshToken,
  tokenType: 'Bearer' as const,
  expiresIn,
  user: presentMe(session.user),
});
