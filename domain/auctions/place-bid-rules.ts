import { DomainError, invalid } from '../errors.ts';
import type { AuctionState } from './auction-state.ts';
import { minimumIncrement, minimumNextBid } from './increment-table.ts';
import { isPositiveWon } from './money.ts';
import { assertOpenToBuyer } from './open-auction-guard.ts';
import { extendForSoftClose } from './soft-close.ts';
import type { SoftCloseSettings } from './soft-close.ts';

export type BidKind = 'bid' | 'proxy' | 'max_raise';

/**
 * A bid row to store. `maxAmount` is the ceiling the row was placed under (null for a plain bid)
 * and is private to its bidder. A 'max_raise' row's `amount` is the price, never the new maximum.
 */
export type NewBid = {
  readonly bidderId: string;
  readonly amount: number;
  readonly maxAmount: number | null;
  readonly kind: BidKind;
};

/**
 * A plain bid sends `amount`; a proxy bid sends `maxAmount`, with or without an `amount`: the
 * engine then bids the least that is needed (at least `amount` when one is given), eBay-style.
 */
export type BidRequest = {
  readonly bidderId: string;
  readonly amount?: number | null | undefined;
  readonly maxAmount?: number | null | undefined;
};

/** `bids` in the order they happened; the last one is always the leader's, at the new price. */
export type BidResolution = {
  readonly bids: readonly NewBid[];
  readonly next: AuctionState;
  readonly extended: boolean;
  /** Whether watchers can see a change (price, leader, bid count): such a change is an event. */
  readonly visible: boolean;
};

type Standing = {
  readonly bids: readonly NewBid[];
  readonly leaderId: string;
  readonly leaderMaxAmount: number;
  readonly price: number;
};

export function resolveBid(
  state: AuctionState,
  request: BidRequest,
  settings: SoftCloseSettings,
  now: Date,
): BidResolution {
  const ceiling = checkedCeiling(request);
  assertOpenToBuyer(state, request.bidderId, now);
  const standing = applyReserve(
    state,
    request.bidderId === state.leaderId ? raiseOwnMax(state, request, ceiling) : challenge(state, request, ceiling),
  );

  // A hidden max raise must not move the end: that would tell everyone the leader raised.
  // (A raise that lifts the price to the reserve is visible: the price moved.)
  const visible =
    standing.price !== state.currentPrice ||
    standing.leaderId !== state.leaderId ||
    standing.bids.some((bid) => bid.kind !== 'max_raise');
  const { endsAt, extended } = visible
    ? extendForSoftClose(state, settings, now)
    : { endsAt: state.endsAt, extended: false };

  return {
    bids: standing.bids,
    extended,
    visible,
    next: {
      ...state,
      status: 'open',
      currentPrice: standing.price,
      leaderId: standing.leaderId,
      leaderMaxAmount: standing.leaderMaxAmount,
      bidCount: state.bidCount + standing.bids.filter((bid) => bid.kind !== 'max_raise').length,
      endsAt,
    },
  };
}

function checkedCeiling({ amount, maxAmount }: BidRequest): number {
  const hasAmount = amount !== undefined && amount !== null;
  const hasMax = maxAmount !== undefined && maxAmount !== null;
  if (!hasAmount && !hasMax) throw invalid('bid-amount-missing', 'Send amount, maxAmount, or both.');
  if (hasAmount && !isPositiveWon(amount)) throw invalid('invalid-bid-amount', 'amount must be a positive whole number of won.');
  if (!hasMax) return amount!;
  if (!isPositiveWon(maxAmount)) throw invalid('invalid-max-amount', 'maxAmount must be a positive whole number of won.');
  if (hasAmount && maxAmount < amount!) throw invalid('max-below-amount', 'maxAmount must not be below amount.');
  return maxAmount;
}

function raiseOwnMax(state: AuctionState, request: BidRequest, ceiling: number): Standing {
  if (ceiling <= (state.leaderMaxAmount ?? state.currentPrice)) {
    throw new DomainError('unprocessable', 'max-not-raised', 'You are already the highest bidder; a new bid must raise your maximum.');
  }
  return {
    bids: [{ bidderId: request.bidderId, amount: state.currentPrice, maxAmount: ceiling, kind: 'max_raise' }],
    leaderId: request.bidderId,
    leaderMaxAmount: ceiling,
    price: state.currentPrice,
  };
}

function challenge(state: AuctionState, request: BidRequest, ceiling: number): Standing {
  const minimumBid = minimumNextBid(state);
  if (ceiling < minimumBid) {
    const what = request.maxAmount ? 'maxAmount must reach' : 'The bid must be at least';
    throw new DomainError('unprocessable', 'bid-too-low', `${what} ${minimumBid} won.`, { minimumBid });
  }
  // A proxy bid below the minimum (or without an amount) opens at the least that is needed.
  const opening = Math.max(request.amount ?? minimumBid, minimumBid);
  const challengerBid = (amount: number): NewBid => ({
    bidderId: request.bidderId,
    amount,
    maxAmount: request.maxAmount ?? null,
    kind: 'bid',
  });
  const { leaderId, currentPrice } = state;
  if (leaderId === null) {
    return { bids: [challengerBid(opening)], leaderId: request.bidderId, leaderMaxAmount: ceiling, price: opening };
  }

  const leaderMax = state.leaderMaxAmount ?? currentPrice;
  const proxyBid = (amount: number): NewBid => ({ bidderId: leaderId, amount, maxAmount: leaderMax, kind: 'proxy' });
  if (ceiling > leaderMax) {
    const price = Math.max(opening, Math.min(ceiling, leaderMax + minimumIncrement(leaderMax)));
    const leaderDefence = leaderMax > currentPrice ? [proxyBid(leaderMax)] : [];
    return { bids: [...leaderDefence, challengerBid(price)], leaderId: request.bidderId, leaderMaxAmount: ceiling, price };
  }
  // A tie goes to the earlier bid, so the leader stays.
  const price = Math.min(leaderMax, ceiling + minimumIncrement(ceiling));
  return { bids: [challengerBid(ceiling), proxyBid(price)], leaderId, leaderMaxAmount: leaderMax, price };
}

/** eBay's reserve rule: once the leader's max reaches the reserve, the price jumps to the reserve. */
function applyReserve(state: AuctionState, standing: Standing): Standing {
  const reserve = state.reservePrice;
  if (reserve === null || standing.leaderMaxAmount < reserve || standing.price >= reserve) return standing;
  const price = Math.min(reserve, standing.leaderMaxAmount);
  const last = standing.bids.length - 1;
  return { ...standing, price, bids: standing.bids.map((bid, i) => (i === last ? { ...bid, amount: price } : bid)) };
}
