import type { Caller } from '../accounts/access-tokens.ts';
import { forbidden } from '../errors.ts';

/** Moderation is for accounts with the admin role (granted with `npm run admin:grant`). */
export function assertAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw forbidden('admin-only', 'Only admins can do this.');
}
