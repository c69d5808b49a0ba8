import { z } from 'zod';
import 'zod-openapi';
import { MAX_PRICE, MAX_WON } from '../../domain/shared/money.ts';

/** Building blocks shared by the route schemas. */

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    requestId: z.string().optional(),
  })
  .loose()
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `type` ends with a stable code.' });

export const Id = z.uuid().meta({ description: 'A UUID (time-ordered, version 7).' });

export const IdParams = z.object({ id: Id });

/** An event stream's `id:`, sent back as Last-Event-ID. */
export const EventId = z.string().regex(/^\d{1,15}$/, 'must be an event id (a whole number)');

/**
 * Money shown: whole KRW won up to MAX_WON. Built from the same constants the rules and the
 * database's checks follow, so a committed state always fits the response that shows it.
 */
export const Won = z.number().int().min(0).max(MAX_WON).meta({ description: 'Amount in whole KRW won.' });

/**
 * Money sent in (prices, bids, maxima): whole won up to MAX_PRICE, one largest increment below
 * MAX_WON, so that the minimum next bid over any accepted price can still be shown. Above it is a 400.
 */
export const Price = z.number().int().min(0).max(MAX_PRICE).meta({ description: `Amount in whole KRW won, at most ${MAX_PRICE}.` });

export const Timestamp = z.iso.datetime().meta({ description: 'ISO-8601, UTC.' });

/** A time sent in: ISO-8601 with `Z` or any offset (`+09:00`); kept as the instant it names, in UTC. */
export const TimestampInput = z.iso.datetime({ offset: true }).meta({ description: 'ISO-8601 with `Z` or an offset such as `+09:00`; stored as UTC.' });

export const PageQuery = z.object({
  cursor: z.string().max(512).optional().meta({ description: 'The `nextCursor` of the previous page.' }),
  // Digits only: plain coercion would also take `0x10`, `1e1` or ` 5`.
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .pipe(z.coerce.number<string>().int().min(1).max(100))
    .default(20)
    // Published as what it means (an integer); the digits-only check is how the string is read.
    .meta({ description: 'Items per page, 1 to 100 (default 20).', override: { type: 'integer', minimum: 1, maximum: 100, default: 20 } }),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
