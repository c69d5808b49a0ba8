import fc from 'fast-check';
import { BIDDERS, clockCanMove, currentAuction, increment, type Actor, type AuctionTerms, type Model, type Party } from './model.ts';

/**
 * What can happen to a listing in one step, as plain records. Amounts are relative ("one
 * increment over the minimum", "exactly the leader's maximum") and resolved against the model
 * when the step runs, so a generated sequence stays meaningful whatever the steps before it did.
 */
export type BidSpec =
  | { kind: 'plain'; over: number }
  | { kind: 'too-low' }
  | { kind: 'proxy'; over: number; maxOver: number }
  | { kind: 'max-only'; maxOver: number }
  /** An amount below the minimum with a maximum at or above it: the engine opens at the minimum. */
  | { kind: 'proxy-below-minimum'; maxOver: number }
  /** Exactly the leader's secret maximum, as a plain bid or a maximum: a tie the leader keeps. */
  | { kind: 'tie-leader-max'; plain: boolean }
  /** A maximum right at the reserve (or the buy-now price), one increment under or over it. */
  | { kind: 'near'; target: 'reserve' | 'buy-now'; steps: -1 | 0 | 1 }
  | { kind: 'max-below-amount' };

export type EditSpec = 'retitle' | 'same-title' | 'append-description' | 'rewrite-description' | 'reprice' | 'mark-reserved' | 'mark-on-sale';

/** `always`: send it whatever the state (see `applicable`). */
export type Command =
  | { type: 'bid'; who: Actor; spec: BidSpec; always: boolean }
  /** The current leader sends a new maximum `steps` increments over (or under) its own. */
  | { type: 'raise-max'; steps: number; always: boolean }
  | { type: 'buy-now'; who: Actor; always: boolean }
  | { type: 'cancel-auction'; who: Actor; always: boolean }
  | { type: 'edit'; who: Actor; spec: EditSpec; n: number }
  | { type: 'time-passes' }
  | { type: 'close'; always: boolean }
  /** `pick` 0 is the newest trade (or offer), 1 the one before, ... */
  | { type: 'cancel-trade'; pick: number; party: Party; always: boolean }
  | { type: 'complete-trade'; pick: number; party: 'buyer' | 'seller'; always: boolean }
  | { type: 'relist'; who: Actor; terms: { price: number } | { auction: AuctionTerms }; always: boolean }
  /** `back` 0 is the current auction, 1 the one before, ... */
  | { type: 'second-chance'; who: Actor; back: number; always: boolean }
  | { type: 'accept-offer'; pick: number; byOfferBuyer: boolean; always: boolean }
  | { type: 'purchase'; who: Actor; always: boolean };

const bidder = fc.constantFrom(...BIDDERS);
/** Mostly bidders; now and then the seller, who is always refused where only others may act (and vice versa). */
const anyone = fc.oneof({ arbitrary: bidder, weight: 5 }, { arbitrary: fc.constant<Actor>('seller'), weight: 1 });
const sellerMostly = fc.oneof({ arbitrary: fc.constant<Actor>('seller'), weight: 6 }, { arbitrary: bidder, weight: 1 });
const steps = fc.constantFrom(0, 1, 2, 5, 20, 60);

const bidSpec: fc.Arbitrary<BidSpec> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('plain' as const), over: fc.constantFrom(0, 0, 1, 3, 12) }), weight: 4 },
  { arbitrary: fc.constant({ kind: 'too-low' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('proxy' as const), over: fc.constantFrom(0, 1), maxOver: steps }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('max-only' as const), maxOver: steps }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('proxy-below-minimum' as const), maxOver: steps }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('tie-leader-max' as const), plain: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('near' as const), target: fc.constantFrom('reserve' as const, 'buy-now' as const), steps: fc.constantFrom(-1 as const, 0 as const, 1 as const) }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'max-below-amount' as const }), weight: 1 },
);

/** Start prices on both sides of increment band edges, so the increment changes mid-auction. */
const startPrice = fc.oneof(fc.constantFrom(1_000, 9_000, 9_500, 10_000, 48_000, 49_000, 95_000, 99_000, 480_000, 990_000, 4_950_000), fc.integer({ min: 1, max: 200_000 }));

/** Valid terms: a reserve at or above the start, a buy-now price above the start and not below the reserve. */
export const auctionTerms: fc.Arbitrary<AuctionTerms> = fc
  .record({
    startPrice,
    reserveSteps: fc.option(fc.constantFrom(0, 1, 3, 10, 40), { nil: null, freq: 3 }),
    buyNowSteps: fc.option(fc.constantFrom(1, 2, 8, 30), { nil: null, freq: 3 }),
    startsLater: fc.oneof({ arbitrary: fc.constant(false), weight: 6 }, { arbitrary: fc.constant(true), weight: 1 }),
  })
  .map(({ startPrice, reserveSteps, buyNowSteps, startsLater }) => {
    const reservePrice = reserveSteps === null ? null : startPrice + reserveSteps * increment(startPrice);
    const floor = reservePrice ?? startPrice;
    const buyNowPrice = buyNowSteps === null ? null : floor + buyNowSteps * increment(floor);
    return { startPrice, reservePrice, buyNowPrice, startsLater };
  });

/**
 * Most commands wait for a state where they can matter (a bid for a running auction, a relist
 * for an ended listing); one in six is sent whatever the state, for the refusals. Without that,
 * blind sequences spend themselves on closed auctions and rarely reach a second chance.
 */
const always = fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 });

export const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ type: fc.constant('bid' as const), who: anyone, spec: bidSpec, always }), weight: 24 },
  { arbitrary: fc.record({ type: fc.constant('raise-max' as const), steps: fc.constantFrom(-1, 0, 1, 4, 30), always }), weight: 3 },
  { arbitrary: fc.record({ type: fc.constant('buy-now' as const), who: anyone, always }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('cancel-auction' as const), who: sellerMostly, always }), weight: 1 },
  {
    arbitrary: fc.record({
      type: fc.constant('edit' as const),
      who: sellerMostly,
      spec: fc.constantFrom<EditSpec>('retitle', 'same-title', 'append-description', 'rewrite-description', 'reprice', 'mark-reserved', 'mark-on-sale'),
      n: fc.integer({ min: 1, max: 99 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.constant({ type: 'time-passes' as const }), weight: 3 },
  { arbitrary: fc.record({ type: fc.constant('close' as const), always }), weight: 3 },
  {
    arbitrary: fc.record({ type: fc.constant('cancel-trade' as const), pick: fc.constantFrom(0, 0, 0, 1, 2), party: fc.constantFrom<Party>('buyer', 'seller', 'seller', 'stranger'), always }),
    weight: 6,
  },
  { arbitrary: fc.record({ type: fc.constant('complete-trade' as const), pick: fc.constantFrom(0, 0, 1), party: fc.constantFrom('buyer' as const, 'seller' as const), always }), weight: 1 },
  {
    arbitrary: fc.record({
      type: fc.constant('relist' as const),
      who: sellerMostly,
      terms: fc.oneof(fc.record({ price: fc.integer({ min: 1, max: 500_000 }) }), fc.record({ auction: auctionTerms })),
      always,
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ type: fc.constant('second-chance' as const), who: sellerMostly, back: fc.constantFrom(0, 0, 0, 1, 2), always }), weight: 6 },
  { arbitrary: fc.record({ type: fc.constant('accept-offer' as const), pick: fc.constantFrom(0, 0, 1), byOfferBuyer: fc.constantFrom(true, true, true, false), always }), weight: 6 },
  { arbitrary: fc.record({ type: fc.constant('purchase' as const), who: anyone, always }), weight: 1 },
);

/**
 * Whether the command runs now: one that needs something to act on (a leader, a trade, an offer)
 * waits until it exists; one that could matter only in some states waits for them, unless `always`.
 */
export function applicable(m: Readonly<Model>, c: Command): boolean {
  const { outcome, clock } = currentAuction(m);
  const running = outcome === null && (clock === 'early' || clock === 'late');
  const gate = (interesting: boolean) => ('always' in c && c.always) || interesting;
  switch (c.type) {
    case 'bid':
    case 'buy-now':
    case 'cancel-auction':
      return gate(running);
    case 'raise-max':
      return currentAuction(m).leader !== null && gate(running);
    case 'time-passes':
      return clockCanMove(m);
    case 'close':
      return gate(currentAuction(m).outcome === null);
    case 'cancel-trade':
    case 'complete-trade':
      return m.trades.length > 0 && gate(m.trades.some((t) => t.status === 'pending'));
    case 'relist':
      return gate(m.listing.status === 'ended');
    case 'second-chance': {
      const target = m.auctions[secondChanceTarget(m, c.back)]!;
      return gate(m.listing.status === 'ended' && target.outcome === 'sold');
    }
    case 'accept-offer':
      return m.offers.length > 0 && gate(m.offers.some((o) => o.status === 'pending'));
    case 'purchase':
      return gate(m.listing.saleType === 'fixed');
    case 'edit':
      return true;
  }
}

/** The auction a second-chance command is about: `back` auctions before the current one, or the first. */
export const secondChanceTarget = (m: Readonly<Model>, back: number) => Math.max(0, m.auctions.length - 1 - back);

export function describe(c: Command): string {
  switch (c.type) {
    case 'bid': {
      const { kind, ...rest } = c.spec;
      return `bid(${c.who}, ${kind}${Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : ''})`;
    }
    case 'raise-max':
      return `raiseMax(${c.steps >= 0 ? '+' : ''}${c.steps} increments)`;
    case 'edit':
      return `edit(${c.who}, ${c.spec}${c.spec === 'reprice' ? ` ${c.n * 1_000}` : ''})`;
    case 'relist':
      return `relist(${c.who}, ${JSON.stringify(c.terms)})`;
    case 'cancel-trade':
    case 'complete-trade':
      return `${c.type}(trade #${c.pick}, by ${c.party})`;
    case 'accept-offer':
      return `acceptOffer(offer #${c.pick}, by ${c.byOfferBuyer ? 'its buyer' : 'someone else'})`;
    case 'second-chance':
      return `secondChance(${c.who}, auction -${c.back})`;
    case 'time-passes':
      return c.type;
    case 'close':
      return 'close';
    default:
      return `${c.type}(${c.who})`;
  }
}
