import test from 'ava';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DomainError } from '../../../domain/errors.ts';
import { minimumIncrement } from '../../../domain/auctions/increment-table.ts';
import { resolveBid } from '../../../domain/auctions/place-bid-rules.ts';
import type { BidRequest, NewBid } from '../../../domain/auctions/place-bid-rules.ts';
import { anAuction, ENDS_AT, seconds, settings } from './fixtures.ts';

const bidders = ['ann', 'ben', 'cho', 'dae'];

const step = fc.record({
  bidder: fc.integer({ min: 0, max: bidders.length - 1 }),
  tooLow: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  amountOver: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300_000 })),
  max: fc.oneof(
    fc.constant({ kind: 'plain' as const }),
    fc.constant({ kind: 'tie-with-leader' as const }),
    fc.integer({ min: 0, max: 1_500_000 }).map((over) => ({ kind: 'over-amount' as const, over })),
  ),
  secondsLater: fc.integer({ min: 0, max: 40 }),
});

const scenario = fc.record({
  startPrice: fc.oneof(fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 1, max: 6_000_000 })),
  reserveOver: fc.option(fc.integer({ min: 0, max: 800_000 }), { nil: null }),
  steps: fc.array(step, { minLength: 1, maxLength: 40 }),
});

/**
 * Replays random bids near the end (so soft close and closing happen too) against an oracle that
 * only knows each bidder's best maximum and the eBay rules for who leads and what they pay.
 */
test('random bid sequences keep the proxy-bidding invariants', (t) => {
  fc.assert(
    fc.property(scenario, ({ startPrice, reserveOver, steps }) => {
      const reservePrice = reserveOver === null ? null : startPrice + reserveOver;
      let state = anAuction({ startPrice, currentPrice: startPrice, reservePrice });
      let now = seconds(ENDS_AT, -300);
      const cap = seconds(ENDS_AT, settings.softCloseMaxExtensionS).getTime();
      const maxima = new Map<string, number>();
      let leader: string | null = null;
      let leaderEntryAmount = 0;
      let topWhenLastChallenged = 0;
      const rows: NewBid[] = [];

      for (const move of steps) {
        now = seconds(now, move.secondsLater);
        const bidderId = bidders[move.bidder]!;
        const minimumBid = leader === null ? startPrice : state.currentPrice + minimumIncrement(state.currentPrice);
        const amount = move.tooLow ? Math.max(1, minimumBid - 1) : minimumBid + move.amountOver;
        const maxAmount =
          move.max.kind === 'plain' ? undefined
          : move.max.kind === 'tie-with-leader' ? Math.max(amount, state.leaderMaxAmount ?? amount)
          : amount + move.max.over;
        const ceiling = maxAmount ?? amount;
        const request: BidRequest = { bidderId, amount, maxAmount };

        const expectedRefusal =
          now.getTime() >= state.endsAt.getTime() ? 'auction-closed'
          : bidderId === leader ? (ceiling <= maxima.get(bidderId)! ? 'max-not-raised' : null)
          // A maximum at or above the minimum carries an amount below it (the engine opens at the minimum).
          : ceiling < minimumBid ? 'bid-too-low'
          : null;
        if (expectedRefusal !== null) {
          assert.throws(() => resolveBid(state, request, settings, now), (e) => e instanceof DomainError && e.code === expectedRefusal);
          continue;
        }

        const previous = state;
        const { bids, next, extended } = resolveBid(state, request, settings, now);
        state = Object.freeze(next);
        rows.push(...bids);

        const previousLeaderMax = leader === null ? 0 : maxima.get(leader)!;
        const isChallenge = bidderId !== leader;
        maxima.set(bidderId, Math.max(maxima.get(bidderId) ?? 0, ceiling));
        if (leader === null || (isChallenge && ceiling > previousLeaderMax)) {
          leader = bidderId;
          leaderEntryAmount = Math.max(amount, minimumBid);
        }
        const top: number = maxima.get(leader)!;
        if (isChallenge) topWhenLastChallenged = top;
        const others = [...maxima].filter(([id]) => id !== leader).map(([, max]) => max);
        const second = others.length === 0 ? null : Math.max(...others);
        // One increment over the runner-up, capped by the winner's max as it stood when last challenged
        // (raising it later does not move the price); the winner's own amount and the reserve are floors.
        const expectedPrice = Math.max(
          leaderEntryAmount,
          second === null ? 0 : Math.min(topWhenLastChallenged, second + minimumIncrement(second)),
          reservePrice !== null && top >= reservePrice ? reservePrice : 0,
        );

        assert.equal(state.leaderId, leader);
        assert.equal(state.leaderMaxAmount, top);
        assert.equal(state.currentPrice, expectedPrice);
        assert.ok(state.currentPrice >= previous.currentPrice, 'the price never goes down');
        assert.ok(state.currentPrice <= top, 'the price never exceeds the leader max');
        assert.equal(state.bidCount, rows.filter((row) => row.kind !== 'max_raise').length);
        const last = bids.at(-1);
        assert.deepEqual([last?.bidderId, last?.amount], [leader, state.currentPrice], 'the last row is the leader at the price');
        for (const row of bids) assert.ok(row.amount <= maxima.get(row.bidderId)!, 'nobody bids beyond their max');
        for (let i = 1; i < rows.length; i++) assert.ok(rows[i]!.amount >= rows[i - 1]!.amount, 'the bid history never goes down');

        assert.ok(state.endsAt.getTime() >= previous.endsAt.getTime(), 'the end never moves earlier');
        assert.ok(state.endsAt.getTime() <= Math.max(cap, previous.endsAt.getTime()), 'the end stays within the cap');
        assert.equal(extended, state.endsAt.getTime() !== previous.endsAt.getTime());
        const visible = state.currentPrice !== previous.currentPrice || state.leaderId !== previous.leaderId;
        if (visible && previous.endsAt.getTime() - now.getTime() < settings.softCloseWindowS * 1000) {
          assert.equal(state.endsAt.getTime(), Math.max(previous.endsAt.getTime(), Math.min(now.getTime() + settings.softCloseWindowS * 1000, cap)));
        }
        if (!visible) assert.equal(state.endsAt, previous.endsAt);
      }
    }),
    { numRuns: 500 },
  );
  t.pass();
});
