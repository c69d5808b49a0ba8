import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, cursorTimestampSql } from '../shared/cursor.ts';
import { toPage, type Page } from '../shared/page.ts';
import { AuctionRepository, toAuctionState, type AuctionRow } from './auction-repository.ts';
import { bidderPseudonym } from './bidder-pseudonym.ts';
import { auctionViewFor, type AuctionView } from './auction-view-for.ts';

export async function getAuction(em: EntityManager, auctionId: string, viewerId?: string): Promise<AuctionView> {
  const loaded = await new AuctionRepository(em).find(auctionId);
  if (!loaded) throw notFound('auction');
  return auctionViewFor(loaded.state, loaded.listingId, loaded.now, viewerId);
}

export interface BidHistoryItem {
  id: string;
  /** The bidder's pseudonym in this auction (`bidder 4K7Q2M`), for every bid. */
  bidder: string;
  /** The bidder's account id, on the viewer's own bids only; null on everyone else's. */
  bidderId: string | null;
  amount: number;
  /** True for a bid the engine placed for a proxy bidder. */
  automatic: boolean;
  createdAt: string;
}

/**
 * Public history, newest first. Raises of a leader's own maximum are private and left out. Bidders
 * appear by their pseudonym in this auction; the viewer's own bids also carry their account id.
 */
export async function listAuctionBids(
  em: EntityManager,
  auctionId: string,
  cursor: string | undefined,
  limit: number,
  viewer: { viewerId: string | undefined; pseudonymSecret: string },
): Promise<Page<BidHistoryItem>> {
  const after = cursor ? decodeCursor(cursor, ['integer']) : null;
  const rows = await em.execute<{ id: string; bidder_id: string; amount: string; kind: string; created_at: string; seq: string; found: boolean }[]>(
    `select b.id, b.bidder_id, b.amount, b.kind, b.created_at, b.seq
     from bids b
     where b.auction_id = ? and b.kind <> 'max_raise' ${after ? 'and b.seq < ?' : ''}
     order by b.seq desc limit ?`,
    [auctionId, ...(after ?? []), limit + 1],
  );
  if (!rows.length && !(await new AuctionRepository(em).find(auctionId))) throw notFound('auction');
  return toPage(
    rows,
    limit,
    (row) => ({
      id: row.id,
      bidder: bidderPseudonym(viewer.pseudonymSecret, auctionId, row.bidder_id),
      bidderId: row.bidder_id === viewer.viewerId ? row.bidder_id : null,
      amount: Number(row.amount),
      automatic: row.kind === 'proxy',
      createdAt: new Date(row.created_at).toISOString(),
    }),
    (row) => encodeCursor([Number(row.seq)]),
  );
}

export interface MyBidItem {
  auction: AuctionView;
  listingTitle: string;
  myHighestBid: number;
  leading: boolean;
  lastBidAt: string;
}

/** Every auction the caller has bid on, most recent activity first, with whether they lead. */
export async function listMyBids(em: EntityManager, userId: string, cursor: string | undefined, limit: number): Promise<Page<MyBidItem>> {
  const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
  const rows = await em.execute<(AuctionRow & { title: string; my_highest: string; last_bid_key: string; last_bid_at: string; db_now: string })[]>(
    `select a.*, l.title, mine.my_highest, mine.last_bid_at, clock_timestamp() as db_now,
            ${cursorTimestampSql('mine.last_bid_at')} as last_bid_key
     from (select auction_id,
                  max(amount) filter (where kind <> 'max_raise') as my_highest,
                  -- proxy rows are placed when someone else bids; they are not my activity
                  max(created_at) filter (where kind <> 'proxy') as last_bid_at
           from bids where bidder_id = ? group by auction_id) mine
     join auctions a on a.id = mine.auction_id
     join listings l on l.id = a.listing_id
     ${after ? 'where (mine.last_bid_at, mine.auction_id) < (?::timestamptz, ?::uuid)' : ''}
     order by mine.last_bid_at desc, mine.auction_id desc
     limit ?`,
    [userId, ...(after ?? []), limit + 1],
  );
  return toPage(
    rows,
    limit,
    (row) => {
      const state = toAuctionState(row);
      return {
        auction: auctionViewFor(state, row.listing_id, new Date(row.db_now), userId),
        listingTitle: row.title,
        myHighestBid: Number(row.my_highest),
        leading: state.leaderId === userId,
        lastBidAt: new Date(row.last_bid_at).toISOString(),
      };
    },
    (row) => encodeCursor([row.last_bid_key, row.id]),
  );
}
