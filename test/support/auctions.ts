/** Moved to listings.ts with the other set-up builders; kept so existing imports keep working. */
export { createTestAuction, type AuctionTerms } from './listings.ts';
