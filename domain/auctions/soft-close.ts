import type { AuctionSettings } from './auction-settings.ts';
import type { AuctionState } from './auction-state.ts';

export type SoftCloseSettings = Pick<AuctionSettings, 'softCloseWindowS' | 'softCloseMaxExtensionS'>;

/**
 * Anti-sniping: a bid accepted less than `softCloseWindowS` before the end moves the end to
 * now + window, never past originalEndsAt + softCloseMaxExtensionS and never earlier than it was.
 */
export function extendForSoftClose(
  state: Pick<AuctionState, 'endsAt' | 'originalEndsAt'>,
  settings: SoftCloseSettings,
  now: Date,
): { endsAt: Date; extended: boolean } {
  const windowMs = settings.softCloseWindowS * 1000;
  const endsAtMs = state.endsAt.getTime();
  if (windowMs <= 0 || endsAtMs - now.getTime() >= windowMs) return { endsAt: state.endsAt, extended: false };

  const capMs = state.originalEndsAt.getTime() + settings.softCloseMaxExtensionS * 1000;
  const movedMs = Math.max(endsAtMs, Math.min(now.getTime() + windowMs, capMs));
  if (movedMs === endsAtMs) return { endsAt: state.endsAt, extended: false };
  return { endsAt: new Date(movedMs), extended: true };
}
