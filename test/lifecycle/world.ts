import { bidderPseudonym } from '../../domain/auctions/bidder-pseudonym.ts';
import type { TestApi, TestUser } from '../support/api.ts';
import { ACTORS, type Actor, type Bidder, type Visible, type VisibleAuction } from './model.ts';

/**
 * The service side of a run: the real app, the users behind the model's actors, and the ids the
 * service handed out, kept in the order the model numbers its auctions, trades and offers. Reading
 * the visible state back translates every id into those names and numbers, so it compares with
 * the model's `visible()` as plain data.
 */
export interface World {
  app: TestApi;
  users: Record<Actor, TestUser>;
  listingId: string;
  auctionIds: string[];
  tradeIds: string[];
  offerIds: string[];
  /** How often each command got each answer, across runs: shows what the generated sequences reached. */
  tally: Map<string, number>;
  /** This run's commands as sent, one line each (see `runCommand`). */
  transcript: string[];
}

export const PROBLEMS = 'https://gavel.dev/problems/';

export function actorOf(w: World, userId: string | null): Actor | null | string {
  if (userId === null) return null;
  return ACTORS.find((a) => w.users[a].id === userId) ?? `unknown user ${userId}`;
}

function actorByPseudonym(w: World, auctionId: string, pseudonym: string): Actor | string {
  const secret = w.app.deps.config.pseudonymSecret;
  return ACTORS.find((a) => bidderPseudonym(secret, auctionId, w.users[a].id) === pseudonym) ?? `unknown bidder ${pseudonym}`;
}

/** The model's number for an id, or the id itself when the service made something the model did not. */
const indexOf = (ids: string[], id: string | null) => (id === null ? null : ids.includes(id) ? ids.indexOf(id) : `unknown ${id}`);

async function ok<T = any>(w: World, path: string, as?: Actor): Promise<T> {
  const res = await w.app.request('GET', path, { token: as ? w.users[as].accessToken : undefined });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function readAuction(w: World, auctionId: string): Promise<VisibleAuction> {
  const view = await ok(w, `/v1/auctions/${auctionId}`);
  const leader = actorOf(w, view.leaderId);
  // The leader alone sees its maximum (myMaxAmount); read it as the leader while bidding is open.
  const own = view.status === 'open' && typeof leader === 'string' && (ACTORS as readonly string[]).includes(leader)
    ? await ok(w, `/v1/auctions/${auctionId}`, leader as Actor)
    : null;
  return {
    status: view.status,
    outcome: view.outcome,
    currentPrice: view.currentPrice,
    minimumBid: view.minimumBid,
    leader: leader as Actor | null,
    bidCount: view.bidCount,
    buyNowAvailable: view.buyNowAvailable,
    reserveMet: view.reserveMet,
    leaderMax: own?.myMaxAmount ?? null,
  };
}

/** Everything a client can see of this run's listing, its auctions, trades and offers, in the model's terms. */
export async function observe(w: World): Promise<Visible> {
  const current = w.auctionIds.at(-1)!;
  const [listing, auctions, history, trades, offers] = await Promise.all([
    ok(w, `/v1/listings/${w.listingId}`),
    Promise.all(w.auctionIds.map((id) => readAuction(w, id))),
    ok(w, `/v1/auctions/${current}/bids?limit=100`),
    ok(w, `/v1/me/trades?role=seller&limit=100`, 'seller'),
    Promise.all(w.offerIds.map((id) => ok(w, `/v1/offers/${id}`, 'seller'))),
  ]);
  // Newest first from the service; the model counts in creation order. Trades it did not expect sort last and show as unknown.
  const mine = (trades.items as any[]).filter((t) => t.listingId === w.listingId);
  const rank = (t: any) => (w.tradeIds.includes(t.id) ? w.tradeIds.indexOf(t.id) : Number.MAX_SAFE_INTEGER);
  mine.sort((x, y) => rank(x) - rank(y));
  return {
    listing: {
      status: listing.status,
      saleType: listing.saleType,
      price: listing.price,
      auction: indexOf(w.auctionIds, listing.auctionId) as number | null,
      title: listing.title,
      description: listing.description,
    },
    auctions,
    // The public history names bidders by their pseudonym in this auction.
    bids: (history.items as any[]).toReversed().map((b) => ({ bidder: actorByPseudonym(w, current, b.bidder) as Bidder, amount: b.amount, automatic: b.automatic })),
    trades: mine.map((t) => ({
      auction: indexOf(w.auctionIds, t.auctionId) as number | null,
      kind: t.kind,
      buyer: actorOf(w, t.buyerId) as Actor,
      price: t.price,
      status: t.status,
    })),
    offers: offers.map((o) => ({
      auction: indexOf(w.auctionIds, o.auctionId) as number,
      buyer: actorOf(w, o.buyerId) as Bidder,
      amount: o.amount,
      status: o.status,
      trade: indexOf(w.tradeIds, o.tradeId) as number | null,
    })),
  };
}
