import { createHmac } from 'node:crypto';

/** Crockford's base32: no I, L, O or U to misread. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * How a bidder appears in an auction's public bid history: `bidder 4K7Q2M`, the same on every page
 * of that auction and unrelated from one auction to the next, so a history cannot be joined to
 * another auction's or to an account. It is an HMAC of auction and user under a server secret, so
 * nobody can compute it from the (public) account ids. 30 bits: among even a thousand bidders of
 * one auction two share a pseudonym with a chance below 1 in 2,000.
 */
export function bidderPseudonym(secret: string, auctionId: string, userId: string): string {
  const digest = createHmac('sha256', secret).update(`${auctionId}\n${userId}`).digest();
  let bits = digest.readUInt32BE(0) >>> 2;
  let code = '';
  for (let i = 0; i < 6; i++) {
    code = ALPHABET[bits & 31] + code;
    bits >>>= 5;
  }
  return `bidder ${code}`;
}
