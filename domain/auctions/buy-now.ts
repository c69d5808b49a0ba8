import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { outbidNotice } from '../notifications/notices.ts';
import { AuctionRepository } from './auction-repository.ts';
import { auctionViewFor, type AuctionView } from './auction-view-for.ts';
import { resolveBuyNow } from './buy-now-rules.ts';
import { settleClosedAuction } from './settle-closed-auction.ts';

/** Ends the auction at once at its buy-now price and opens the trade, under the auction's lock. */
export async function buyNow(
  em: EntityManager,
  followUps: FollowUpDispatcher,
  buyerId: string,
  auctionId: string,
): Promise<{ auction: AuctionView; tradeId: string }> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const locked = await new AuctionRepository(tx).lockForChange(auctionId);
    if (!locked) throw notFound('auction');
    const { next } = resolveBuyNow(locked.state, buyerId, locked.now);
    // With a reserve not yet met a bidder may lead; buy-now outbids them.
    const leader = locked.state.leaderId;
    const outbid = leader !== null && leader !== buyerId ? [outbidNotice(auctionId, leader, next.currentPrice, locked.now)] : [];
    const settlement = await settleClosedAuction(tx, locked, next, { outcome: 'sold', winnerId: buyerId, unsoldReason: null }, outbid);
    return {
      value: { auction: auctionViewFor(next, locked.listingId, locked.now, buyerId), tradeId: settlement.tradeId! },
      followUps: settlement.followUps,
    };
  });
}
