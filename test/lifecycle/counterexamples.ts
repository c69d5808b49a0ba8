import type { Command } from './commands.ts';
import type { AuctionTerms, Readings } from './model.ts';

/**
 * Sequences the random runs found, shrunk and tidied by hand, kept as fixed replays so what they
 * showed is checked on every run, not only when a seed happens to reach it again.
 */
export interface Counterexample {
  title: string;
  /** What the random run that found it printed. */
  foundWith: string;
  terms: AuctionTerms;
  commands: Command[];
  readings: Readings;
  /**
   * The service still disagrees with `readings` at the last command (README.md in this folder says
   * why) and agrees with this reading instead; the replay checks both, so it fails once the service changes.
   */
  serviceReading?: Readings;
}

const plainTerms: AuctionTerms = { startPrice: 10_000, reservePrice: null, buyNowPrice: null, startsLater: false };
const firstBidder: Readings = { runnerUpTies: 'first-bidder' };

export const counterexamples: Counterexample[] = [
  {
    title: 'a second chance belongs to the auction before a relist: once the listing is relisted, the old auction offers none',
    foundWith: 'MODEL_SEED=100 MODEL_RUNS=400 MODEL_COMMANDS=80 (run 17, shrunk to 6 commands), before domain/offers/second-chance.ts checked for a later auction',
    terms: plainTerms,
    commands: [
      { type: 'bid', who: 'ann', spec: { kind: 'plain', over: 0 }, always: false },
      { type: 'bid', who: 'ben', spec: { kind: 'plain', over: 0 }, always: false },
      { type: 'close', always: false },
      { type: 'cancel-trade', pick: 0, party: 'buyer', always: false },
      { type: 'relist', who: 'seller', terms: { auction: plainTerms }, always: false },
      { type: 'cancel-auction', who: 'seller', always: false },
      // The listing is ended again (its new auction was cancelled); the first auction's second chance must stay gone.
      { type: 'second-chance', who: 'seller', back: 1, always: false },
    ],
    readings: firstBidder,
  },
  {
    title: 'a runner-up tie goes to the bidder who reached the amount first (ties go to the earlier bid), not to whoever bid first',
    foundWith: 'MODEL_SEED=300 MODEL_READING=earlier-bid MODEL_RUNS=500 MODEL_COMMANDS=80 (run 19, shrunk to 7 commands)',
    terms: plainTerms,
    commands: [
      // cho bids first; ann's maximum of 20,000 then leads; cho ties it and stays second (the tie goes to ann's earlier bid).
      { type: 'bid', who: 'cho', spec: { kind: 'plain', over: 0 }, always: false },
      { type: 'bid', who: 'ann', spec: { kind: 'max-only', maxOver: 9 }, always: false },
      { type: 'bid', who: 'cho', spec: { kind: 'tie-leader-max', plain: true }, always: false },
      { type: 'bid', who: 'dae', spec: { kind: 'plain', over: 0 }, always: false },
      { type: 'close', always: false },
      { type: 'cancel-trade', pick: 0, party: 'buyer', always: false },
      // Both have 20,000 as their highest bid; ann led at 20,000 until dae came, so ann is the runner-up. The service picks cho.
      { type: 'second-chance', who: 'seller', back: 0, always: false },
    ],
    readings: { runnerUpTies: 'earlier-bid' },
    serviceReading: firstBidder,
  },
  {
    title: 'a second chance accepted, called off again, and the listing relisted: one offer per auction, and the relist leaves it accepted',
    foundWith: 'written by hand: the random runs reach this depth rarely in a short run',
    terms: { startPrice: 48_000, reservePrice: 50_000, buyNowPrice: 60_000, startsLater: false },
    commands: [
      { type: 'bid', who: 'ann', spec: { kind: 'plain', over: 0 }, always: false },
      { type: 'bid', who: 'ben', spec: { kind: 'near', target: 'reserve', steps: 0 }, always: false },
      { type: 'buy-now', who: 'cho', always: false },
      { type: 'bid', who: 'dae', spec: { kind: 'proxy', over: 1, maxOver: 5 }, always: false },
      { type: 'time-passes' },
      { type: 'close', always: false },
      { type: 'cancel-trade', pick: 0, party: 'buyer', always: false },
      { type: 'second-chance', who: 'ann', back: 0, always: false },
      { type: 'second-chance', who: 'seller', back: 0, always: false },
      { type: 'accept-offer', pick: 0, byOfferBuyer: false, always: false },
      { type: 'accept-offer', pick: 0, byOfferBuyer: true, always: false },
      { type: 'cancel-trade', pick: 0, party: 'seller', always: false },
      { type: 'second-chance', who: 'seller', back: 0, always: false },
      { type: 'relist', who: 'seller', terms: { price: 45_000 }, always: false },
      { type: 'edit', who: 'seller', spec: 'retitle', n: 1 },
      { type: 'purchase', who: 'dae', always: false },
      { type: 'complete-trade', pick: 0, party: 'buyer', always: false },
    ],
    readings: firstBidder,
  },
];
