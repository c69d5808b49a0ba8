import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { outbidNotice } from '../notifications/notices.ts';
import { newId } from '../shared/ids.ts';
import { auctionEvent } from './auction-events.ts';
import { AuctionRepository } from './auction-repository.ts';
import type { AuctionSettings } from './auction-settings.ts';
import type { AuctionView } from './auction-view-for.ts';
import { findStoredResponse, requestHash, type StoredResponse } from './idempotency.ts';
import { resolveBid, type BidKind } from './place-bid-rules.ts';
import { placedBidView } from './placed-bid-view.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface PlaceBidInput {
  auctionId: string;
  bidderId: string;
  /** Optional with a `maxAmount`: the engine then bids the least needed. */
  amount?: number | undefined;
  maxAmount?: number | undefined;
  idempotencyKey?: string | undefined;
}

export interface PlacedBid {
  bid: { id: string; auctionId: string; amount: number; maxAmount: number | null; kind: BidKind; createdAt: string };
  /** Whether the bidder leads after the engine has run every proxy bid. */
  leading: boolean;
  auction: AuctionView;
}

export interface PlaceBidDeps {
  settings: AuctionSettings;
  bidRateLimiter: RateLimiter;
  /** Publishes the price change and sends the outbid notice once the bid is committed. */
  followUps: FollowUpDispatcher;
  /** Lets a few bids per auction at a time go for its row lock (the rest wait their turn); none: no bound. */
  lockQueue?: { run<T>(auctionId: string, work: () => Promise<T>): Promise<T> };
}

/** Signals that a concurrent request with the same key committed first; rolls this one back. */
class KeyTakenMeanwhile extends Error {}

export interface PlaceBidResult extends StoredResponse {
  replayed: boolean;
}

/**
 * Places a bid. Everything slow or remote (idempotency lookup, the Redis rate limit) happens
 * before the row lock; inside it there are two statements: lock-and-read, then one write.
 */
export async function placeBid(em: EntityManager, deps: PlaceBidDeps, input: PlaceBidInput): Promise<PlaceBidResult> {
  const { auctionId, bidderId, idempotencyKey } = input;
  const hash = requestHash('placeBid', auctionId, { amount: input.amount ?? null, maxAmount: input.maxAmount ?? null });
  if (idempotencyKey) {
    const stored = await findStoredResponse(em, bidderId, idempotencyKey, hash);
    if (stored) return { ...stored, replayed: true };
  }
  await deps.bidRateLimiter.consume(bidderId);

  const inTurn = <T>(transaction: () => Promise<T>) => (deps.lockQueue ? deps.lockQueue.run(auctionId, transaction) : transaction());
  try {
    const placed = await transactionWithFollowUps(em, deps.followUps, async (tx) => {
      const auctions = new AuctionRepository(tx);
      const locked = await auctions.lockForChange(auctionId);
      if (!locked) throw notFound('auction');
      // A twin request with the same key may have committed while this one waited for the lock.
      if (idempotencyKey) {
        const twin = await findStoredResponse(tx, bidderId, idempotencyKey, hash);
        if (twin) throw new KeyTakenMeanwhile();
      }
      const resolution = resolveBid(locked.state, { bidderId, amount: input.amount, maxAmount: input.maxAmount }, deps.settings, locked.now);
      const bids = resolution.bids.map((bid) => ({ ...bid, id: newId() }));
      const event = resolution.visible ? auctionEvent('bid', resolution.next, locked.eventSeq + 1, resolution.extended, locked.now) : null;
      const placed = placedBidView(resolution.next, bids, bidderId, locked.listingId, locked.now);
      const previousLeader = locked.state.leaderId;
      const outbid = previousLeader !== null && previousLeader !== resolution.next.leaderId;
      const written = await auctions.applyChange({
        locked,
        next: resolution.next,
        bids,
        event,
        notifications: outbid ? [outbidNotice(auctionId, previousLeader, resolution.next.currentPrice, locked.now)] : [],
        idempotency: idempotencyKey ? { userId: bidderId, key: idempotencyKey, requestHash: hash, statusCode: 201, response: placed } : null,
      });
      if (idempotencyKey && !written.keyStored) throw new KeyTakenMeanwhile();
      return { value: placed, followUps: { events: event ? [event] : [], notifications: written.notifications } };
    }, inTurn);
    return { statusCode: 201, response: placed, replayed: false };
  } catch (error) {
    if (!(error instanceof KeyTakenMeanwhile)) throw error;
    const stored = await findStoredResponse(em, bidderId, idempotencyKey!, hash);
    return { ...stored!, replayed: true };
  }
}
