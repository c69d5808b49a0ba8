import { invalid } from '../errors.ts';
import { MAX_PRICE } from '../shared/money.ts';
import { isPositiveWon } from './money.ts';

export type AuctionSettings = {
  /** Shortest auction allowed (AUCTION_MIN_DURATION_S). */
  readonly minDurationS: number;
  /**
   * Longest auction allowed (AUCTION_MAX_DURATION_S), and how far ahead one may be scheduled to
   * start: every auction ends within two of these (plus the soft-close cap) from its creation, so
   * never in a year that no response can show.
   */
  readonly maxDurationS: number;
  /** A bid this close to the end pushes the end out to now + window; 0 turns soft close off. */
  readonly softCloseWindowS: number;
  /** Cap on the total extension beyond the original end. */
  readonly softCloseMaxExtensionS: number;
  /** With bids, a seller may cancel only until this long before the end (AUCTION_CANCEL_CUTOFF_S). */
  readonly cancelCutoffS: number;
  /** How long an offer (a second chance) stays open (OFFER_TTL_S). */
  readonly offerTtlS: number;
};

/** A requested start this far in the past is taken as "now" (client clock skew, request latency). */
export const START_IN_PAST_TOLERANCE_MS = 60_000;

export type NewAuctionInput = {
  readonly startPrice: number;
  readonly startsAt?: Date | null | undefined;
  readonly endsAt: Date;
  readonly buyNowPrice?: number | null | undefined;
  readonly reservePrice?: number | null | undefined;
};

export type NewAuctionTerms = {
  readonly startPrice: number;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly buyNowPrice: number | null;
  readonly reservePrice: number | null;
};

export function validateNewAuction(input: NewAuctionInput, settings: AuctionSettings, now: Date): NewAuctionTerms {
  const startPrice = input.startPrice;
  if (!isPositiveWon(startPrice)) throw invalid('invalid-start-price', `startPrice must be a whole number of won from 1 to ${MAX_PRICE}.`);
  const buyNowPrice = optionalWon(input.buyNowPrice, 'invalid-buy-now-price', 'buyNowPrice');
  const reservePrice = optionalWon(input.reservePrice, 'invalid-reserve-price', 'reservePrice');
  if (reservePrice !== null && reservePrice < startPrice) {
    throw invalid('reserve-below-start-price', 'reservePrice must not be below startPrice.');
  }
  if (buyNowPrice !== null && buyNowPrice <= startPrice) {
    throw invalid('buy-now-not-above-start-price', 'buyNowPrice must be above startPrice.');
  }
  if (buyNowPrice !== null && reservePrice !== null && buyNowPrice < reservePrice) {
    throw invalid('buy-now-below-reserve-price', 'buyNowPrice must not be below reservePrice.');
  }

  const startsAt = effectiveStart(input.startsAt, settings, now);
  const endsAt = input.endsAt;
  if (!isValidDate(endsAt)) throw invalid('invalid-ends-at', 'endsAt must be a valid time.');
  if (endsAt.getTime() - startsAt.getTime() < settings.minDurationS * 1000) {
    throw invalid('auction-too-short', `An auction must run at least ${settings.minDurationS} seconds.`, {
      minDurationS: settings.minDurationS,
    });
  }
  if (endsAt.getTime() - startsAt.getTime() > settings.maxDurationS * 1000) {
    throw invalid('auction-too-long', `An auction may run at most ${settings.maxDurationS} seconds.`, {
      maxDurationS: settings.maxDurationS,
    });
  }
  return { startPrice, startsAt, endsAt, buyNowPrice, reservePrice };
}

function optionalWon(value: number | null | undefined, code: string, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (!isPositiveWon(value)) throw invalid(code, `${field} must be a whole number of won from 1 to ${MAX_PRICE}.`);
  return value;
}

function effectiveStart(startsAt: Date | null | undefined, settings: AuctionSettings, now: Date): Date {
  if (startsAt === undefined || startsAt === null) return now;
  if (!isValidDate(startsAt)) throw invalid('invalid-starts-at', 'startsAt must be a valid time.');
  if (startsAt.getTime() < now.getTime() - START_IN_PAST_TOLERANCE_MS) {
    throw invalid('starts-at-in-past', 'startsAt must not be in the past.');
  }
  if (startsAt.getTime() > now.getTime() + settings.maxDurationS * 1000) {
    throw invalid('starts-at-too-far', `startsAt may be at most ${settings.maxDurationS} seconds ahead.`, {
      maxDurationS: settings.maxDurationS,
    });
  }
  return startsAt.getTime() < now.getTime() ? now : startsAt;
}

function isValidDate(value: Date): boolean {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
