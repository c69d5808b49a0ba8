import test from 'ava';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { z } from 'zod';
import { Auction, AuctionEvent, BidHistoryItem, BuyNowResult, MyBid, PlacedBid } from '../../../api/schemas/auctions.ts';
import { Won } from '../../../api/schemas/common.ts';
import { auctionEvent } from '../../../domain/auctions/auction-events.ts';
import { bidderPseudonym } from '../../../domain/auctions/bidder-pseudonym.ts';
import { validateNewAuction } from '../../../domain/auctions/auction-settings.ts';
import { newAuctionState, type AuctionState } from '../../../domain/auctions/auction-state.ts';
import { auctionViewFor } from '../../../domain/auctions/auction-view-for.ts';
import { resolveBuyNow } from '../../../domain/auctions/buy-now-rules.ts';
import { resolveClose } from '../../../domain/auctions/close-rules.ts';
import { minimumNextBid } from '../../../domain/auctions/increment-table.ts';
import { resolveBid, type NewBid } from '../../../domain/auctions/place-bid-rules.ts';
import { placedBidView } from '../../../domain/auctions/placed-bid-view.ts';
import { DomainError } from '../../../domain/errors.ts';
import { newId } from '../../../domain/shared/ids.ts';
import { MAX_PRICE } from '../../../domain/shared/money.ts';
import { settings } from './fixtures.ts';

/**
 * A committed change is answered with what the rules make of it; if that failed its response
 * schema the client would get a 500 for a change that stands (the issue: a bid of 1e12 made
 * `minimumBid` too large for `Won`, and the auction answered 500 from then on). So: random
 * auctions and bid, buy-now and close sequences within the ceiling, some requests beyond it, and
 * every view the rules produce must parse with the published schema: the auction for each viewer,
 * each event, the bid answer, the buy-now answer, history and "my bids" items, the listing and
 * trade price. A request the rules refuse must be a DomainError (a 4xx), never anything else.
 */

const DAY_S = 86_400;
const EPOCH = Date.parse('2025-03-01T09:00:00.000Z');

/** Prices across the whole range, with the ceiling and the smallest amounts well represented. */
const price = fc.oneof(
  fc.integer({ min: 1, max: 100_000 }),
  fc.integer({ min: 1, max: MAX_PRICE }),
  fc.integer({ min: 0, max: 5_000_000 }).map((below) => MAX_PRICE - below),
);

type Choice = { kind: 'minimum' | 'over-minimum' | 'under-minimum' | 'over-amount' | 'anywhere' | 'above-ceiling'; by: number };
const choice = (kind: Choice['kind'], by: fc.Arbitrary<number>) => by.map((n): Choice => ({ kind, by: n }));
const beyondCeiling = choice('above-ceiling', fc.integer({ min: 1, max: 10_000_000_000 }));

/** A bid's amount: mostly at or just over the minimum bid, sometimes under it, anywhere, or beyond the ceiling. */
const amountChoice = fc.oneof(
  { weight: 3, arbitrary: choice('minimum', fc.constant(0)) },
  { weight: 3, arbitrary: choice('over-minimum', fc.integer({ min: 1, max: 3_000_000 })) },
  { weight: 1, arbitrary: choice('under-minimum', fc.integer({ min: 1, max: 1_000 })) },
  { weight: 1, arbitrary: choice('anywhere', price) },
  { weight: 1, arbitrary: beyondCeiling },
);

/** A proxy maximum: mostly above the amount (by a little or by a lot), sometimes anywhere or beyond the ceiling. */
const maxChoice = fc.oneof(
  { weight: 4, arbitrary: choice('over-amount', fc.integer({ min: 0, max: 3_000_000 })) },
  { weight: 1, arbitrary: choice('over-amount', price) },
  { weight: 1, arbitrary: choice('anywhere', price) },
  { weight: 1, arbitrary: beyondCeiling },
);

const step = fc.record({
  actor: fc.integer({ min: 0, max: 4 }),
  action: fc.oneof({ weight: 16, arbitrary: fc.constant('bid' as const) }, { weight: 1, arbitrary: fc.constant('buy-now' as const) }, { weight: 2, arbitrary: fc.constant('close' as const) }),
  amount: amountChoice,
  max: fc.option(maxChoice, { nil: null, freq: 2 }),
  // Mostly seconds apart (soft close has a window to hit), now and then far enough to end it.
  secondsLater: fc.oneof({ weight: 24, arbitrary: fc.integer({ min: 0, max: 90 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 * DAY_S }) }),
});

const scenario = fc.record({
  startPrice: price,
  reserveOver: fc.option(fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), price), { nil: null }),
  buyNowOver: fc.option(fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), price), { nil: null }),
  createdAfterS: fc.integer({ min: 0, max: 80 * 365 * DAY_S }),
  startsAfterS: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: settings.maxDurationS }) }),
  durationS: fc.integer({ min: settings.minDurationS, max: settings.maxDurationS }),
  /** Bidding begins at the start, or this many seconds before the end (soft close, closing). */
  biddingBeforeEndS: fc.option(fc.integer({ min: 0, max: 600 }), { nil: null }),
  steps: fc.array(step, { minLength: 1, maxLength: 40 }),
});

function amountOf(chosen: Choice, minimumBid: number, amount = 0): number {
  switch (chosen.kind) {
    case 'minimum': return minimumBid;
    case 'over-minimum': return minimumBid + chosen.by;
    case 'under-minimum': return Math.max(1, minimumBid - chosen.by);
    case 'over-amount': return amount + chosen.by;
    case 'above-ceiling': return MAX_PRICE + chosen.by;
    case 'anywhere': return chosen.by;
  }
}

/** Parses `value` with `schema`, failing with the schema's own complaint and the value. */
function mustParse(schema: z.ZodType, value: unknown, what: string): void {
  const result = schema.safeParse(value);
  assert.ok(result.success, `${what} does not fit its schema: ${result.error?.message}\n${JSON.stringify(value)}`);
}

/** Runs `rule`; a refusal must be a DomainError (a 4xx), and then there is no new state. */
function attempt<T>(rule: () => T): T | null {
  try {
    return rule();
  } catch (error) {
    if (error instanceof DomainError) return null;
    throw error;
  }
}

test('every view the rules produce, within the ceiling, parses with the published response schemas', (t) => {
  // What the runs reached, so a generator that stopped reaching the edges fails here.
  const seen = { views: 0, bids: 0, atTheTop: 0, refusedBeyondCeiling: 0, proxyBids: 0, extensions: 0, buyNows: 0, closes: 0 };
  fc.assert(
    fc.property(scenario, (s) => {
      const created = new Date(EPOCH + s.createdAfterS * 1000);
      const startsAt = new Date(created.getTime() + s.startsAfterS * 1000);
      // Terms the creation rules accept: a reserve from the start price, a buy-now price above both, all capped at the ceiling.
      const reservePrice = s.reserveOver === null ? null : Math.min(s.startPrice + s.reserveOver, MAX_PRICE);
      const buyNowPrice = s.buyNowOver === null ? null : Math.min(Math.max(s.startPrice + s.buyNowOver, reservePrice ?? 0), MAX_PRICE);
      const terms = validateNewAuction(
        {
          startPrice: s.startPrice,
          startsAt,
          endsAt: new Date(startsAt.getTime() + s.durationS * 1000),
          reservePrice,
          buyNowPrice: buyNowPrice !== null && buyNowPrice > s.startPrice ? buyNowPrice : null,
        },
        settings,
        created,
      );
      const sellerId = newId();
      const bidders = [newId(), newId(), newId(), newId()];
      const listingId = newId();
      let state: AuctionState = newAuctionState({ id: newId(), sellerId, terms }, created);
      let now = created;
      const endsAt = state.endsAt.getTime();
      const biddingFrom = s.biddingBeforeEndS === null ? startsAt.getTime() : Math.max(startsAt.getTime(), endsAt - s.biddingBeforeEndS * 1000);
      let seq = 0;
      const rows: (NewBid & { id: string })[] = [];

      const checkState = (next: AuctionState, at: Date) => {
        for (const viewer of [undefined, sellerId, ...bidders]) mustParse(Auction, auctionViewFor(next, listingId, at, viewer), 'the auction view');
        // The listing shows the auction's current price; a sale's trade is made at it.
        mustParse(Won, next.currentPrice, 'the listing and trade price');
        seen.views++;
      };
      const checkEvent = (type: 'bid' | 'closed', next: AuctionState, extended: boolean, at: Date) => {
        mustParse(AuctionEvent, auctionEvent(type, next, ++seq, extended, at), `the ${type} event`);
      };
      checkState(state, now);
      now = new Date(biddingFrom);

      for (const move of s.steps) {
        if (state.status === 'closed') break;
        now = new Date(now.getTime() + move.secondsLater * 1000);
        const actor = move.actor === 4 ? sellerId : bidders[move.actor]!;

        if (move.action === 'close') {
          const decision = resolveClose(state, now);
          if (decision.result !== 'closed') continue;
          state = decision.next;
          seen.closes++;
          checkState(state, now);
          checkEvent('closed', state, false, now);
          continue;
        }

        if (move.action === 'buy-now') {
          const bought = attempt(() => resolveBuyNow(state, actor, now));
          if (!bought) continue;
          state = bought.next;
          seen.buyNows++;
          checkState(state, now);
          checkEvent('closed', state, false, now);
          mustParse(BuyNowResult, { auction: auctionViewFor(state, listingId, now, actor), tradeId: newId() }, 'the buy-now answer');
          continue;
        }

        const minimumBid = minimumNextBid(state);
        const amount = amountOf(move.amount, minimumBid);
        const maxAmount = move.max === null ? undefined : amountOf(move.max, minimumBid, amount);
        const resolution = attempt(() => resolveBid(state, { bidderId: actor, amount, maxAmount }, settings, now));
        if (amount > MAX_PRICE || (maxAmount ?? 0) > MAX_PRICE) {
          assert.equal(resolution, null, `a bid beyond the ceiling was accepted: ${amount} / ${maxAmount}`);
          seen.refusedBeyondCeiling++;
        }
        if (!resolution) continue;
        seen.bids++;
        if (resolution.extended) seen.extensions++;
        if (resolution.bids.some((bid) => bid.kind === 'proxy')) seen.proxyBids++;
        if (resolution.next.currentPrice > MAX_PRICE - 5_000_000) seen.atTheTop++;

        const bids = resolution.bids.map((bid) => ({ ...bid, id: newId() }));
        rows.push(...bids);
        state = resolution.next;
        checkState(state, now);
        if (resolution.visible) checkEvent('bid', state, resolution.extended, now);
        mustParse(PlacedBid, placedBidView(state, bids, actor, listingId, now), 'the bid answer');
        for (const row of bids.filter((bid) => bid.kind !== 'max_raise')) {
          for (const viewer of [row.bidderId, undefined]) {
            const item = { id: row.id, bidder: bidderPseudonym('secret', 'auction', row.bidderId), bidderId: viewer === row.bidderId ? row.bidderId : null, amount: row.amount, automatic: row.kind === 'proxy', createdAt: now.toISOString() };
            mustParse(BidHistoryItem, item, 'a history item');
          }
        }
        for (const bidder of new Set(rows.map((row) => row.bidderId))) {
          const mine = rows.filter((row) => row.bidderId === bidder && row.kind !== 'max_raise');
          if (!mine.length) continue;
          const myBid = {
            auction: auctionViewFor(state, listingId, now, bidder),
            listingTitle: '경매',
            myHighestBid: Math.max(...mine.map((row) => row.amount)),
            leading: state.leaderId === bidder,
            lastBidAt: now.toISOString(),
          };
          mustParse(MyBid, myBid, 'a "my bids" item');
        }
      }
    }),
    { numRuns: 1000 },
  );
  t.log(seen);
  for (const [what, count] of Object.entries(seen)) t.true(count >= 10, `${what}: only ${count}`);
});
