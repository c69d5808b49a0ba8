import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { cancelNotices } from '../notifications/notices.ts';
import { AuctionRepository } from './auction-repository.ts';
import type { AuctionSettings } from './auction-settings.ts';
import { auctionViewFor, type AuctionView } from './auction-view-for.ts';
import { resolveCancel } from './cancel-rules.ts';
import { writeClose } from './settle-closed-auction.ts';

/** The seller calls the auction off, under its row lock: a `closed` event, the listing ended, every bidder told. */
export async function cancelAuction(
  em: EntityManager,
  deps: { settings: AuctionSettings; followUps: FollowUpDispatcher },
  sellerId: string,
  auctionId: string,
  reason: string,
): Promise<AuctionView> {
  return transactionWithFollowUps(em, deps.followUps, async (tx) => {
    const auctions = new AuctionRepository(tx);
    const locked = await auctions.lockForChange(auctionId);
    if (!locked) throw notFound('auction');
    const { next } = resolveCancel(locked.state, sellerId, locked.now, deps.settings.cancelCutoffS);
    const { bidderIds } = await auctions.closingFacts(auctionId, locked.listingId);
    const { followUps } = await writeClose(auctions, locked, next, cancelNotices(auctionId, bidderIds), reason);
    return { value: auctionViewFor(next, locked.listingId, locked.now, sellerId), followUps };
  });
}
