import type { EntityManager } from '@mikro-orm/postgresql';
import type { NewNotification } from '../notifications/notification-kinds.ts';
import type { WrittenNotice } from '../notifications/notification-kinds.ts';
import { notificationInsert } from '../notifications/notification-writer.ts';
import type { AuctionEventData } from './auction-events.ts';
import { reserveMet, type AuctionState } from './auction-state.ts';
import { IDEMPOTENCY_TTL_SQL } from './idempotency.ts';
import type { NewBid } from './place-bid-rules.ts';

/** An auction row as locked for a change, with the database's clock read in the same statement. */
export interface LockedAuction {
  state: AuctionState;
  listingId: string;
  eventSeq: number;
  /** The database clock: every open/closed judgement uses it, never the API host's clock. */
  now: Date;
}

export interface AuctionRow {
  id: string;
  listing_id: string;
  seller_id: string;
  status: AuctionState['status'];
  outcome: AuctionState['outcome'];
  start_price: string;
  current_price: string;
  leader_id: string | null;
  leader_max_amount: string | null;
  bid_count: number;
  starts_at: string;
  ends_at: string;
  original_ends_at: string;
  buy_now_price: string | null;
  reserve_price: string | null;
  event_seq: string;
}

const money = (value: string | null) => (value === null ? null : Number(value));

export const toAuctionState = (row: AuctionRow): AuctionState => ({
  id: row.id,
  sellerId: row.seller_id,
  status: row.status,
  outcome: row.outcome,
  startPrice: Number(row.start_price),
  currentPrice: Number(row.current_price),
  leaderId: row.leader_id,
  leaderMaxAmount: money(row.leader_max_amount),
  bidCount: row.bid_count,
  startsAt: new Date(row.starts_at),
  endsAt: new Date(row.ends_at),
  originalEndsAt: new Date(row.original_ends_at),
  buyNowPrice: money(row.buy_now_price),
  reservePrice: money(row.reserve_price),
});

/** A sale reserves the listing for its trade; an auction that ended without one ends the listing until it is relisted. */
const listingStatusAfter = (outcome: AuctionState['outcome']) => (outcome === null ? null : outcome === 'sold' ? 'reserved' : 'ended');

/** A decided change to a locked auction, with everything it causes. */
export interface AuctionChange {
  locked: LockedAuction;
  next: AuctionState;
  /** Rows to insert, each with an id chosen by the caller so a response can name them. */
  bids: (NewBid & { id: string })[];
  event: AuctionEventData | null;
  /** Stored in the same transaction so a replayed request can never see a half-applied bid. */
  idempotency: { userId: string; key: string; requestHash: string; statusCode: number; response: unknown } | null;
  /** Notifications caused by this change (outbid, won, sold, ...), delivered after commit. */
  notifications?: NewNotification[];
  closedAt?: Date | null;
  /** The seller's reason, when the change is a cancellation. */
  cancelReason?: string | null;
}

export interface AppliedChange {
  /** False when the idempotency key was committed by a concurrent request first. */
  keyStored: boolean;
  /** Notification rows actually created (a duplicate by dedupe key is skipped). */
  notifications: WrittenNotice[];
}

/**
 * Every read and write of an auction row that decides something. The bid path is hand-written
 * SQL so the row lock is held for two round trips: lock-and-read, then one write.
 */
export class AuctionRepository {
  private readonly em: EntityManager;

  constructor(em: EntityManager) {
    this.em = em;
  }

  /**
   * `SELECT ... FOR UPDATE`: the pessimistic write lock every change to an auction goes through,
   * reading the database clock in the same round trip.
   */
  async lockForChange(auctionId: string): Promise<LockedAuction | null> {
    // Raw on purpose (npm run bench:lock, 2 cores): findOne + LockMode.PESSIMISTIC_WRITE doubled Node CPU per
    // transaction (0.43-0.66x tx/s over 1,000 auctions, 0.72-0.87x on one hot row) and needs a 2nd query or a formula for the DB clock.
    const [row] = await this.em.execute<(AuctionRow & { db_now: string })[]>(
      `select a.*, clock_timestamp() as db_now from auctions a where a.id = ? for update`,
      [auctionId],
    );
    if (!row) return null;
    return { state: toAuctionState(row), listingId: row.listing_id, eventSeq: Number(row.event_seq), now: new Date(row.db_now) };
  }

  /** The auction as it stands, without a lock, and the database clock to judge it by. */
  async find(auctionId: string): Promise<{ state: AuctionState; listingId: string; now: Date } | null> {
    const [row] = await this.em.execute<(AuctionRow & { db_now: string })[]>(
      `select a.*, clock_timestamp() as db_now from auctions a where a.id = ?`,
      [auctionId],
    );
    return row ? { state: toAuctionState(row), listingId: row.listing_id, now: new Date(row.db_now) } : null;
  }

  /** What settling needs besides the row: the listing's title (a trade keeps it) and everyone who bid. */
  async closingFacts(auctionId: string, listingId: string): Promise<{ title: string; bidderIds: string[] }> {
    const [row] = await this.em.execute<{ title: string; bidder_ids: string[] }[]>(
      `select l.title, array(select distinct b.bidder_id from bids b where b.auction_id = ?) as bidder_ids from listings l where l.id = ?`,
      [auctionId, listingId],
    );
    return { title: row?.title ?? '', bidderIds: row?.bidder_ids ?? [] };
  }

  /**
   * Applies a decided change in ONE statement while the row lock is held: the auction row, its
   * bid rows, the outbox event, the listing's displayed price and status, the notifications it
   * causes and the idempotency record.
   */
  async applyChange(change: AuctionChange): Promise<AppliedChange> {
    const { locked, next, bids, event, idempotency } = change;
    const parts: string[] = [];
    const params: unknown[] = [];
    const part = (sql: string, ...values: unknown[]) => {
      parts.push(sql);
      params.push(...values);
    };

    part(
      `changed_auction as (
         update auctions set status = ?, outcome = ?, current_price = ?, leader_id = ?, leader_max_amount = ?,
           bid_count = ?, ends_at = ?, event_seq = ?, reserve_met = ?, closed_at = coalesce(?::timestamptz, closed_at),
           cancel_reason = coalesce(?, cancel_reason), updated_at = ?
         where id = ? returning id)`,
      next.status, next.outcome, next.currentPrice, next.leaderId, next.leaderMaxAmount,
      next.bidCount, next.endsAt.toISOString(), event ? event.seq : locked.eventSeq, reserveMet(next),
      change.closedAt?.toISOString() ?? null, change.cancelReason ?? null, locked.now.toISOString(), next.id,
    );
    if (bids.length) {
      part(
        `new_bids as (
           insert into bids (id, auction_id, bidder_id, amount, max_amount, kind, created_at)
           select (r.bid->>'id')::uuid, ?::uuid, (r.bid->>'bidder_id')::uuid, (r.bid->>'amount')::bigint,
                  (r.bid->>'max_amount')::bigint, r.bid->>'kind', ?::timestamptz
           from jsonb_array_elements(?::jsonb) with ordinality as r(bid, ord)
           -- the identity column numbers rows in this order: the order the engine placed them
           order by r.ord
           returning 1)`,
        next.id, locked.now.toISOString(),
        JSON.stringify(bids.map((b) => ({ id: b.id, bidder_id: b.bidderId, amount: b.amount, max_amount: b.maxAmount, kind: b.kind }))),
      );
    }
    if (event) {
      part(
        `new_event as (insert into auction_events (auction_id, seq, type, payload, created_at) values (?, ?, ?, ?::jsonb, ?) returning 1)`,
        next.id, event.seq, event.type, JSON.stringify(event), locked.now.toISOString(),
      );
    }
    const listingStatus = listingStatusAfter(next.outcome);
    part(
      `changed_listing as (
         update listings set price = ?, status = coalesce(?, status), updated_at = ?
         where id = ? and (price <> ? or status <> coalesce(?, status)) returning 1)`,
      next.currentPrice, listingStatus, locked.now.toISOString(), locked.listingId, next.currentPrice, listingStatus,
    );
    if (idempotency) {
      // An expired key may be taken over; a live one belongs to whoever committed it.
      part(
        `stored_key as (
           insert into idempotency_keys (user_id, key, request_hash, status_code, response, created_at)
           values (?, ?, ?, ?, ?::jsonb, now())
           on conflict (user_id, key) do update
             set request_hash = excluded.request_hash, status_code = excluded.status_code,
                 response = excluded.response, created_at = excluded.created_at
             where idempotency_keys.created_at < now() - ${IDEMPOTENCY_TTL_SQL}
           returning 1)`,
        idempotency.userId, idempotency.key, idempotency.requestHash, idempotency.statusCode, JSON.stringify(idempotency.response),
      );
    }
    const notifications = change.notifications ?? [];
    if (notifications.length) {
      const insert = notificationInsert(notifications);
      part(`new_notifications as (${insert.sql})`, ...insert.params);
    }
    const [result] = await this.em.execute<{ key_stored: number; notifications: WrittenNotice[] }[]>(
      `with ${parts.join(',\n')}
       select ${idempotency ? '(select count(*) from stored_key)::int' : '1'} as key_stored,
              ${notifications.length ? "(select coalesce(jsonb_agg(jsonb_build_object('id', id, 'sms', sms)), '[]') from new_notifications)" : "'[]'::jsonb"} as notifications`,
      params,
    );
    return { keyStored: result?.key_stored === 1, notifications: result?.notifications ?? [] };
  }
}
