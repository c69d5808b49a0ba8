import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from './redis.ts';

/** How long a ticket may wait to be used: long enough to open a stream, too short to be worth stealing. */
export const STREAM_TICKET_TTL_S = 60;

/** Who a ticket stands for: the user, and the login it was asked for with (when the token named one). */
export interface TicketHolder {
  userId: string;
  sessionId: string | null;
}

export interface StreamTickets {
  /** A new single-use ticket standing for the holder. */
  issue(holder: TicketHolder): Promise<string>;
  /** Who a ticket stands for, once: the ticket is gone after this call, whatever it answers. */
  redeem(ticket: string): Promise<TicketHolder | null>;
}

/**
 * Browser EventSource cannot send an Authorization header, and an access token in a URL ends up in
 * logs and history; a ticket is what goes in the URL instead. Redis keeps only a hash of it, with
 * its expiry; GETDEL makes a ticket work once even when two requests race to use it. Losing
 * Redis's data only means a client asks for a new ticket.
 */
export function createStreamTickets(redis: Redis, redisKeyPrefix: string): StreamTickets {
  const keyOf = (ticket: string) => `${redisKeyPrefix}:stream-ticket:${createHash('sha256').update(ticket).digest('base64url')}`;
  return {
    async issue(holder) {
      const ticket = randomBytes(32).toString('base64url');
      await redis.set(keyOf(ticket), JSON.stringify(holder), 'EX', STREAM_TICKET_TTL_S);
      return ticket;
    },
    async redeem(ticket) {
      const stored = await redis.getdel(keyOf(ticket));
      return stored ? (JSON.parse(stored) as TicketHolder) : null;
    },
  };
}
