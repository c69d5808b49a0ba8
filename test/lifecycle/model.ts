/**
 * A small model of one listing's auction life, written from README.md ("Choices made where the
 * contract is silent") and ../shared/API.md, not from domain/: nothing here imports the service, so
 * it is a second, independent statement of the rules for the model-based test to hold the service to.
 *
 * No I/O and no clock: time is a phase the test moves the auction through (see `Clock`). The step
 * functions update the model in place and say what HTTP answer the rules call for.
 */

export const BIDDERS = ['ann', 'ben', 'cho', 'dae'] as const;
export type Bidder = (typeof BIDDERS)[number];
export type Actor = 'seller' | Bidder;
export const ACTORS: readonly Actor[] = ['seller', ...BIDDERS];

/** The published increment table (GET /v1/auction-increments), copied: [from price, increment] in KRW. */
export const INCREMENT_BANDS: readonly (readonly [number, number])[] = [
  [0, 500],
  [10_000, 1_000],
  [50_000, 2_000],
  [100_000, 5_000],
  [500_000, 10_000],
  [1_000_000, 50_000],
  [5_000_000, 100_000],
];

export function increment(price: number): number {
  return INCREMENT_BANDS.findLast(([from]) => price >= from)![1];
}

/**
 * Where the database clock stands for the current auction. The test moves it forward only:
 * before the start → more than the cancel cutoff before the end → inside the cutoff → past the end.
 */
export type Clock = 'scheduled' | 'early' | 'late' | 'over';
export const NEXT_CLOCK: Record<Exclude<Clock, 'over'>, Clock> = { scheduled: 'early', early: 'late', late: 'over' };

export interface AuctionTerms {
  startPrice: number;
  reservePrice: number | null;
  buyNowPrice: number | null;
  startsLater: boolean;
}

/** One visible row of the bid history: a bid someone placed, or one the engine placed for a proxy bidder. */
export interface BidRow {
  bidder: Bidder;
  amount: number;
  automatic: boolean;
}

export interface ModelAuction {
  terms: AuctionTerms;
  clock: Clock;
  /** Set when the auction is settled (closed, bought now, cancelled); until then the clock alone may close it. */
  outcome: 'sold' | 'unsold' | 'cancelled' | null;
  price: number;
  leader: Actor | null;
  /** The leader's private maximum (a plain bid's is its amount). */
  leaderMax: number | null;
  rows: BidRow[];
  /** Every accepted bid's ceiling (its maximum, else its amount), in order, raises included: when each bidder reached what. */
  ceilings: { bidder: Bidder; ceiling: number }[];
  /** The buyer of the auction's sale (the winner, or whoever bought it now). */
  winner: Actor | null;
  secondChanceOffered: boolean;
  /** The listing was relisted after this auction: its second chance is gone. */
  relistedSince: boolean;
}

export interface ModelTrade {
  /** The auction it came from (by index), or null for a fixed-price purchase. */
  auction: number | null;
  kind: 'auction' | 'purchase';
  buyer: Actor;
  price: number;
  status: 'pending' | 'completed' | 'cancelled';
}

export interface ModelOffer {
  auction: number;
  buyer: Bidder;
  amount: number;
  status: 'pending' | 'accepted' | 'withdrawn';
  /** The trade its acceptance opened (by index). */
  trade: number | null;
}

export interface ModelListing {
  status: 'on_sale' | 'reserved' | 'sold' | 'ended';
  saleType: 'auction' | 'fixed';
  /** The fixed price; an auction listing shows its auction's current price instead. */
  fixedPrice: number | null;
  title: string;
  description: string;
}

/**
 * Where the README can be read two ways, which reading the model takes. Runner-up ties: two other
 * bidders whose highest bids are equal. 'first-bidder': the one whose first bid came first (what
 * the service does); 'earlier-bid': the one who reached that amount first, as "ties go to the
 * earlier bid" decides who leads (see README.md in this folder).
 */
export interface Readings {
  runnerUpTies: 'first-bidder' | 'earlier-bid';
}

export interface Model {
  readings: Readings;
  listing: ModelListing;
  /** Every auction the listing has had, oldest first; the last one is the listing's current auction. */
  auctions: ModelAuction[];
  trades: ModelTrade[];
  offers: ModelOffer[];
}

/** The answer the rules call for: a 2xx, or a refusal with its problem code. */
export type Expected = { status: 200 | 201 } | { status: 400 | 403 | 409 | 422; code: string };
const ok = (status: 200 | 201 = 200): Expected => ({ status });
const refuse = (status: 400 | 403 | 409 | 422, code: string): Expected => ({ status, code });

export const ORIGINAL_TITLE = '경매 테스트 상품';
export const ORIGINAL_DESCRIPTION = 'auction under test';

export function newAuction(terms: AuctionTerms): ModelAuction {
  return {
    terms,
    clock: terms.startsLater ? 'scheduled' : 'early',
    outcome: null,
    price: terms.startPrice,
    leader: null,
    leaderMax: null,
    rows: [],
    ceilings: [],
    winner: null,
    secondChanceOffered: false,
    relistedSince: false,
  };
}

export function newModel(terms: AuctionTerms, readings: Readings = { runnerUpTies: 'first-bidder' }): Model {
  return {
    readings,
    listing: { status: 'on_sale', saleType: 'auction', fixedPrice: null, title: ORIGINAL_TITLE, description: ORIGINAL_DESCRIPTION },
    auctions: [newAuction(terms)],
    trades: [],
    offers: [],
  };
}

export const currentAuction = (m: Model): ModelAuction => m.auctions.at(-1)!;

// ---------------------------------------------------------------------------------------------
// What anyone can read off an auction

export function auctionStatus(a: ModelAuction): 'scheduled' | 'open' | 'closed' {
  if (a.outcome !== null || a.clock === 'over') return 'closed';
  return a.clock === 'scheduled' ? 'scheduled' : 'open';
}

export const bidCount = (a: ModelAuction) => a.rows.length;

/** The start price until someone bids, then one increment over the price. */
export const minimumBid = (a: ModelAuction) => (a.leader === null ? a.terms.startPrice : a.price + increment(a.price));

/** Null without a reserve; met once someone leads at or above it. */
export const reserveMet = (a: ModelAuction) => (a.terms.reservePrice === null ? null : a.leader !== null && a.price >= a.terms.reservePrice);

/** Until the first bid, or with a reserve until a bid meets it; only while the auction is open. */
export function buyNowAvailable(a: ModelAuction): boolean {
  if (a.terms.buyNowPrice === null || auctionStatus(a) !== 'open') return false;
  return bidCount(a) === 0 || reserveMet(a) === false;
}

/** A listing's price is its fixed price, or its auction's current price. */
export const listingPrice = (m: Model) => (m.listing.saleType === 'fixed' ? m.listing.fixedPrice! : currentAuction(m).price);

/** Once the listing's (latest) auction has a bid, its title is fixed and its description may only grow. */
/** Bids freeze what they were placed on; relisted at a fixed price, the listing is free again. */
export const contentFrozen = (m: Model) => m.listing.saleType === 'auction' && bidCount(currentAuction(m)) > 0;

const closedRefusal = (a: ModelAuction): Expected | null =>
  auctionStatus(a) !== 'closed' ? null : a.outcome === 'cancelled' ? refuse(409, 'auction-cancelled') : refuse(409, 'auction-closed');

/** Bids and buy-now need an open auction and someone other than its seller. */
function openToBuyer(a: ModelAuction, who: Actor): Expected | null {
  return closedRefusal(a) ?? (a.clock === 'scheduled' ? refuse(409, 'auction-not-started') : who === 'seller' ? refuse(403, 'own-auction') : null);
}

// ---------------------------------------------------------------------------------------------
// Bidding: eBay proxy rules

export interface BidBody {
  amount?: number;
  maxAmount?: number;
}

/**
 * A bid on the current auction. A challenger must reach `minimumBid` with its ceiling (maxAmount,
 * else amount) and opens at the least needed; the leader may only raise its own maximum, privately.
 * The winner of a contest pays one increment over the loser's maximum, never more than its own;
 * a tie goes to the earlier bid (the leader). The reserve lifts the price once a maximum reaches it.
 */
export function bid(m: Model, who: Actor, body: BidBody): Expected {
  if (body.amount !== undefined && body.maxAmount !== undefined && body.maxAmount < body.amount) return refuse(400, 'max-below-amount');
  const a = currentAuction(m);
  const refusal = openToBuyer(a, who);
  if (refusal) return refusal;
  const bidder = who as Bidder;
  const ceiling = body.maxAmount ?? body.amount!;

  if (bidder === a.leader) {
    if (ceiling <= a.leaderMax!) return refuse(422, 'max-not-raised');
    a.ceilings.push({ bidder, ceiling });
    a.leaderMax = ceiling; // no row anyone sees, no bid counted
    liftToReserve(a, false);
    return ok(201);
  }

  const minimum = minimumBid(a);
  if (ceiling < minimum) return refuse(422, 'bid-too-low');
  const opening = Math.max(body.amount ?? minimum, minimum);
  a.ceilings.push({ bidder, ceiling });
  if (a.leader === null) {
    a.rows.push({ bidder, amount: opening, automatic: false });
    take(a, bidder, ceiling, opening);
  } else if (ceiling > a.leaderMax!) {
    // The engine bids the old leader up to its maximum before it is beaten.
    if (a.leaderMax! > a.price) a.rows.push({ bidder: a.leader as Bidder, amount: a.leaderMax!, automatic: true });
    const price = Math.max(opening, Math.min(ceiling, a.leaderMax! + increment(a.leaderMax!)));
    a.rows.push({ bidder, amount: price, automatic: false });
    take(a, bidder, ceiling, price);
  } else {
    // The leader's maximum holds: the challenger is bid up to its ceiling, the leader answers.
    a.rows.push({ bidder, amount: ceiling, automatic: false });
    a.price = Math.min(a.leaderMax!, ceiling + increment(ceiling));
    a.rows.push({ bidder: a.leader as Bidder, amount: a.price, automatic: true });
  }
  liftToReserve(a, true);
  return ok(201);
}

function take(a: ModelAuction, bidder: Bidder, max: number, price: number) {
  a.leader = bidder;
  a.leaderMax = max;
  a.price = price;
}

/** The reserve rule: once the leader's maximum reaches the reserve, the price is at least the reserve (the last bid says so). */
function liftToReserve(a: ModelAuction, lastRowShowsIt: boolean) {
  const reserve = a.terms.reservePrice;
  if (reserve === null || a.leaderMax! < reserve || a.price >= reserve) return;
  a.price = reserve;
  if (lastRowShowsIt) a.rows.at(-1)!.amount = reserve;
}

// ---------------------------------------------------------------------------------------------
// Ending an auction

function settleSale(m: Model, a: ModelAuction, buyer: Actor) {
  a.outcome = 'sold';
  a.winner = buyer;
  m.trades.push({ auction: m.auctions.indexOf(a), kind: 'auction', buyer, price: a.price, status: 'pending' });
  m.listing.status = 'reserved';
}

/** Closes the current auction at its price, sold to the buyer; offered per `buyNowAvailable`. */
export function buyNow(m: Model, who: Actor): Expected {
  const a = currentAuction(m);
  const refusal = openToBuyer(a, who);
  if (refusal) return refusal;
  if (!buyNowAvailable(a)) return refuse(409, 'buy-now-unavailable');
  a.price = a.terms.buyNowPrice!;
  a.leader = who;
  a.leaderMax = a.price;
  a.clock = 'over';
  settleSale(m, a, who);
  return ok(201);
}

/** The seller withdraws the current auction: before the first bid at any time, with bids only until the cutoff. */
export function cancelAuction(m: Model, who: Actor): Expected {
  const a = currentAuction(m);
  if (who !== 'seller') return refuse(403, 'not-auction-seller');
  const refusal = closedRefusal(a);
  if (refusal) return refusal;
  if (bidCount(a) > 0 && a.clock === 'late') return refuse(409, 'cancel-too-late');
  a.outcome = 'cancelled';
  a.clock = 'over';
  m.listing.status = 'ended';
  return ok(200);
}

export type CloseResult = { result: 'already-closed' } | { result: 'closed'; outcome: 'sold' | 'unsold'; trade: boolean };

/** The close job once the end has passed: sold to the leader if the reserve (if any) is met, else unsold and the listing ended. */
export function close(m: Model): CloseResult {
  const a = currentAuction(m);
  if (a.outcome !== null) return { result: 'already-closed' };
  a.clock = 'over';
  if (a.leader !== null && reserveMet(a) !== false) {
    settleSale(m, a, a.leader);
    return { result: 'closed', outcome: 'sold', trade: true };
  }
  a.outcome = 'unsold';
  m.listing.status = 'ended';
  return { result: 'closed', outcome: 'unsold', trade: false };
}

/** Whether "time passes" can move the current auction's clock (an auction already settled stays as it ended). */
export const clockCanMove = (m: Model) => currentAuction(m).outcome === null && currentAuction(m).clock !== 'over';

export function passTime(m: Model) {
  const a = currentAuction(m);
  a.clock = NEXT_CLOCK[a.clock as Exclude<Clock, 'over'>];
}

// ---------------------------------------------------------------------------------------------
// After the auction: trades, relisting, the second chance

export type Party = 'buyer' | 'seller' | 'stranger';

/** A bidder who is neither party (the seller is always a party). */
export const strangerTo = (t: ModelTrade): Bidder => BIDDERS.find((b) => b !== t.buyer)!;

export const partyActor = (t: ModelTrade, party: Party): Actor => (party === 'buyer' ? t.buyer : party === 'seller' ? 'seller' : strangerTo(t));

function pendingTradeOf(t: ModelTrade, who: Actor): Expected | null {
  if (who !== t.buyer && who !== 'seller') return refuse(403, 'not-trade-party');
  return t.status === 'pending' ? null : refuse(409, 'trade-not-pending');
}

/** Either party calls a trade off: a fixed-price listing goes back on sale, an auction's listing ends. */
export function cancelTrade(m: Model, index: number, who: Actor): Expected {
  const t = m.trades[index]!;
  const refusal = pendingTradeOf(t, who);
  if (refusal) return refusal;
  t.status = 'cancelled';
  m.listing.status = t.kind === 'purchase' ? 'on_sale' : 'ended';
  return ok(200);
}

/** Either party confirms the hand-over: the listing is sold. */
export function completeTrade(m: Model, index: number, who: Actor): Expected {
  const t = m.trades[index]!;
  const refusal = pendingTradeOf(t, who);
  if (refusal) return refusal;
  t.status = 'completed';
  m.listing.status = 'sold';
  return ok(200);
}

export type RelistTerms = { price: number } | { auction: AuctionTerms };

/** An ended listing back on sale, at a fixed price or in a new auction; an open second chance is withdrawn. */
export function relist(m: Model, who: Actor, terms: RelistTerms): Expected {
  if (who !== 'seller') return refuse(403, 'not-listing-owner');
  if (m.listing.status !== 'ended') return refuse(409, 'listing-not-ended');
  for (const offer of m.offers) if (offer.status === 'pending') offer.status = 'withdrawn';
  for (const a of m.auctions) a.relistedSince = true;
  m.listing.status = 'on_sale';
  if ('price' in terms) {
    m.listing.saleType = 'fixed';
    m.listing.fixedPrice = terms.price;
  } else {
    m.listing.saleType = 'auction';
    m.listing.fixedPrice = null;
    m.auctions.push(newAuction(terms.auction));
  }
  return ok(201);
}

/** The runner-up: the highest other bidder by their own highest bid; a tie as `Readings` says. */
export function runnerUp(a: ModelAuction, ties: Readings['runnerUpTies']): { bidder: Bidder; amount: number } | null {
  const others = [...new Set(a.rows.map((r) => r.bidder))].filter((b) => b !== a.winner);
  const ranked = others.map((bidder) => {
    const amount = Math.max(...a.rows.filter((r) => r.bidder === bidder).map((r) => r.amount));
    const since =
      ties === 'first-bidder' ? a.rows.findIndex((r) => r.bidder === bidder) : a.ceilings.findIndex((c) => c.bidder === bidder && c.ceiling >= amount);
    return { bidder, amount, since };
  });
  ranked.sort((x, y) => y.amount - x.amount || x.since - y.since);
  return ranked[0] ? { bidder: ranked[0].bidder, amount: ranked[0].amount } : null;
}

/** Once per auction, after its sale fell through and before the listing is relisted: an offer to the runner-up at their own highest bid. */
export function secondChance(m: Model, auctionIndex: number, who: Actor): Expected {
  const a = m.auctions[auctionIndex]!;
  if (who !== 'seller') return refuse(403, 'not-auction-seller');
  const fellThrough = a.outcome === 'sold' && m.trades.some((t) => t.auction === auctionIndex && t.buyer === a.winner && t.status === 'cancelled');
  const liveTrade = m.trades.some((t) => t.status !== 'cancelled');
  if (!fellThrough || liveTrade || m.listing.status !== 'ended' || a.relistedSince) return refuse(409, 'no-second-chance');
  if (a.secondChanceOffered) return refuse(409, 'second-chance-already-offered');
  const chosen = runnerUp(a, m.readings.runnerUpTies);
  if (chosen === null) return refuse(409, 'no-runner-up');
  a.secondChanceOffered = true;
  m.offers.push({ auction: auctionIndex, buyer: chosen.bidder, amount: chosen.amount, status: 'pending', trade: null });
  return ok(201);
}

/** The runner-up takes the offer while it is open and the item is still there: a trade at the offered amount, the listing reserved. */
export function acceptOffer(m: Model, index: number, who: Actor): Expected {
  const offer = m.offers[index]!;
  if (who !== offer.buyer) return refuse(403, 'not-offer-buyer');
  if (offer.status !== 'pending') return refuse(409, 'offer-not-pending');
  if (m.listing.status !== 'ended') return refuse(409, 'listing-not-available');
  offer.status = 'accepted';
  offer.trade = m.trades.length;
  m.trades.push({ auction: offer.auction, kind: 'auction', buyer: offer.buyer, price: offer.amount, status: 'pending' });
  m.listing.status = 'reserved';
  return ok(201);
}

/** Buying a fixed-price listing (after a relist at a price): a trade at that price, the listing reserved. */
export function purchase(m: Model, who: Actor): Expected {
  if (who === 'seller') return refuse(403, 'own-listing');
  if (m.listing.saleType !== 'fixed') return refuse(409, 'not-fixed-price');
  if (m.listing.status !== 'on_sale') return refuse(409, 'listing-not-on-sale');
  m.trades.push({ auction: null, kind: 'purchase', buyer: who, price: m.listing.fixedPrice!, status: 'pending' });
  m.listing.status = 'reserved';
  return ok(201);
}

// ---------------------------------------------------------------------------------------------
// Editing the listing

export interface ListingPatch {
  title?: string;
  description?: string;
  price?: number;
  status?: 'on_sale' | 'reserved' | 'sold';
}

/**
 * The seller edits: content is frozen by bids (the description may only grow); an auction
 * listing's price and status follow the auction; a fixed price changes only while on sale, and a
 * status set by hand only while no trade decides it.
 */
export function edit(m: Model, who: Actor, patch: ListingPatch): Expected {
  const l = m.listing;
  if (who !== 'seller') return refuse(403, 'not-listing-owner');
  if (contentFrozen(m)) {
    if (patch.title !== undefined && patch.title !== l.title) return refuse(409, 'content-frozen');
    if (patch.description !== undefined && !patch.description.startsWith(l.description)) return refuse(409, 'content-frozen');
  }
  if (patch.price !== undefined && patch.price !== listingPrice(m)) {
    if (l.saleType !== 'fixed') return refuse(409, 'price-set-by-auction');
    if (l.status !== 'on_sale') return refuse(409, 'listing-not-on-sale');
  }
  if (patch.status !== undefined && patch.status !== l.status) {
    if (l.saleType !== 'fixed') return refuse(409, 'status-set-by-auction');
    if (m.trades.some((t) => t.status !== 'cancelled')) return refuse(409, 'status-set-by-trade');
  }
  if (patch.title !== undefined) l.title = patch.title;
  if (patch.description !== undefined) l.description = patch.description;
  if (patch.price !== undefined && l.saleType === 'fixed') l.fixedPrice = patch.price;
  if (patch.status !== undefined) l.status = patch.status;
  return ok(200);
}

// ---------------------------------------------------------------------------------------------
// The whole visible state, as the test reads it back from the service

export interface VisibleAuction {
  status: 'scheduled' | 'open' | 'closed';
  outcome: ModelAuction['outcome'];
  currentPrice: number;
  minimumBid: number;
  leader: Actor | null;
  bidCount: number;
  buyNowAvailable: boolean;
  reserveMet: boolean | null;
  /** What the leader sees as its own maximum, while the auction is open. */
  leaderMax: number | null;
}

export interface Visible {
  listing: { status: ModelListing['status']; saleType: ModelListing['saleType']; price: number; auction: number | null; title: string; description: string };
  auctions: VisibleAuction[];
  /** The current auction's bid history, oldest first. */
  bids: BidRow[];
  trades: { auction: number | null; kind: ModelTrade['kind']; buyer: Actor; price: number; status: ModelTrade['status'] }[];
  offers: { auction: number; buyer: Bidder; amount: number; status: ModelOffer['status']; trade: number | null }[];
}

export function visible(m: Model): Visible {
  return {
    listing: {
      status: m.listing.status,
      saleType: m.listing.saleType,
      price: listingPrice(m),
      // A listing sold by auction names its latest auction; relisted at a fixed price it names none.
      auction: m.listing.saleType === 'auction' ? m.auctions.length - 1 : null,
      title: m.listing.title,
      description: m.listing.description,
    },
    auctions: m.auctions.map((a) => ({
      status: auctionStatus(a),
      outcome: a.outcome,
      currentPrice: a.price,
      minimumBid: minimumBid(a),
      leader: a.leader,
      bidCount: bidCount(a),
      buyNowAvailable: buyNowAvailable(a),
      reserveMet: reserveMet(a),
      leaderMax: auctionStatus(a) === 'open' ? a.leaderMax : null,
    })),
    bids: currentAuction(m).rows.map((r) => ({ ...r })),
    trades: m.trades.map((t) => ({ ...t })),
    offers: m.offers.map((o) => ({ ...o })),
  };
}
