import assert from 'node:assert/strict';
import type fc from 'fast-check';
import { closeAuction } from '../../domain/auctions/close-auction.ts';
import type { HttpResult } from '../support/api.ts';
import { applicable, describe, secondChanceTarget, type BidSpec, type Command, type EditSpec } from './commands.ts';
import * as rules from './model.ts';
import { currentAuction, increment, minimumBid, ORIGINAL_TITLE, type Actor, type BidBody, type Expected, type ListingPatch, type Model } from './model.ts';
import { observe, PROBLEMS, type World } from './world.ts';

/** Turns a relative bid into the body a client would send, from what the model says the auction stands at. */
export function bidBody(m: Model, spec: BidSpec): BidBody {
  const a = currentAuction(m);
  const min = minimumBid(a);
  const inc = increment(min);
  switch (spec.kind) {
    case 'plain':
      return { amount: min + spec.over * inc };
    case 'too-low':
      return { amount: Math.max(1, min - 1) };
    case 'proxy': {
      const amount = min + spec.over * inc;
      return { amount, maxAmount: amount + spec.maxOver * inc };
    }
    case 'max-only':
      return { maxAmount: min + spec.maxOver * inc };
    case 'proxy-below-minimum':
      return { amount: Math.max(1, Math.floor(min / 2)), maxAmount: min + spec.maxOver * inc };
    case 'tie-leader-max': {
      const max = a.leaderMax ?? min;
      return spec.plain ? { amount: max } : { maxAmount: max };
    }
    case 'near': {
      const target = (spec.target === 'reserve' ? a.terms.reservePrice : a.terms.buyNowPrice) ?? min;
      return { maxAmount: Math.max(1, target + spec.steps * increment(target)) };
    }
    case 'max-below-amount':
      return { amount: min + inc, maxAmount: min };
  }
}

export function listingPatch(m: Model, spec: EditSpec, n: number): ListingPatch {
  switch (spec) {
    case 'retitle':
      return { title: `${ORIGINAL_TITLE} ${n}` };
    case 'same-title':
      return { title: m.listing.title };
    case 'append-description':
      return { description: `${m.listing.description} 추가${n}` };
    case 'rewrite-description':
      return { description: `다시 쓴 설명 ${n}` };
    case 'reprice':
      return { price: n * 1_000 };
    case 'mark-reserved':
      return { status: 'reserved' };
    case 'mark-on-sale':
      return { status: 'on_sale' };
  }
}

/** Counting from the newest: pick 0 is the latest trade or offer, the usual one to act on. */
const fromNewest = (length: number, pick: number) => length - 1 - (pick % length);

const HOUR = 3_600_000;
/** endsAt/startsAt for a new auction; hours of margin on each side of the cancel cutoff, whatever the machine's load. */
export function auctionTimes(startsLater: boolean, now = Date.now()) {
  return startsLater ? { startsAt: new Date(now + HOUR), endsAt: new Date(now + 4 * HOUR) } : { startsAt: undefined, endsAt: new Date(now + 3 * HOUR) };
}

/** deepStrictEqual keeps its diff (+ the service, - the model) only without a message of its own, so the context goes in front. */
export function same(actual: unknown, expected: unknown, context: string) {
  try {
    assert.deepStrictEqual(actual, expected);
  } catch (error) {
    throw new Error(`${context}\n${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function expectAnswer(res: HttpResult, expected: Expected, what: string) {
  const got = res.status >= 400 ? { status: res.status, code: String(res.body?.type ?? '').replace(PROBLEMS, '') } : { status: res.status };
  same(got, expected, `${what}: the service answered ${JSON.stringify(res.body)}, the model expected ${JSON.stringify(expected)}`);
}

/**
 * One command, sent to the service as a client would and applied to the model; then the whole
 * visible state must agree. The run's transcript gets a line for it, failing or not: the commands
 * with the amounts they resolved to, for the report of a counterexample.
 */
export async function runCommand(m: Model, w: World, c: Command): Promise<void> {
  const sent = { detail: '' };
  try {
    await runAndCompare(m, w, c, sent);
  } finally {
    w.transcript.push(`${describe(c)}${sent.detail ? ` [${sent.detail}]` : ''}`);
  }
}

async function runAndCompare(m: Model, w: World, c: Command, sent: { detail: string }): Promise<void> {
  const { app, users } = w;
  const as = (who: Actor) => users[who].accessToken;
  const current = w.auctionIds.at(-1)!;
  const count = (answer: string) => w.tally.set(`${c.type} ${answer}`, (w.tally.get(`${c.type} ${answer}`) ?? 0) + 1);
  const send = async (method: string, path: string, who: Actor, expect: (m: Model) => Expected, body?: unknown) => {
    const res = await app.request(method, path, { token: as(who), body });
    const expected = expect(m);
    sent.detail = `${method} ${path}${body === undefined ? '' : ` ${JSON.stringify(body)}`} by ${who} → ${res.status}`;
    expectAnswer(res, expected, sent.detail);
    count('code' in expected ? `${expected.status} ${expected.code}` : String(expected.status));
    return res;
  };

  switch (c.type) {
    case 'bid':
    case 'raise-max': {
      const a = currentAuction(m);
      const who: Actor = c.type === 'bid' ? c.who : a.leader!;
      const body: BidBody = c.type === 'bid' ? bidBody(m, c.spec) : { maxAmount: Math.max(1, a.leaderMax! + c.steps * increment(a.leaderMax!)) };
      await send('POST', `/v1/auctions/${current}/bids`, who, (m) => rules.bid(m, who, body), body);
      break;
    }
    case 'buy-now': {
      const res = await send('POST', `/v1/auctions/${current}/buy-now`, c.who, (m) => rules.buyNow(m, c.who));
      if (res.status === 201) w.tradeIds.push(res.body.tradeId);
      break;
    }
    case 'cancel-auction':
      await send('POST', `/v1/auctions/${current}/cancel`, c.who, (m) => rules.cancelAuction(m, c.who), { reason: '판매 취소' });
      break;
    case 'edit': {
      const patch = listingPatch(m, c.spec, c.n);
      await send('PATCH', `/v1/listings/${w.listingId}`, c.who, (m) => rules.edit(m, c.who, patch), patch);
      break;
    }
    case 'time-passes': {
      // The database clock judges open/closed, so the auction's times move instead of the clock.
      const clock = currentAuction(m).clock;
      const change =
        clock === 'scheduled' ? `starts_at = clock_timestamp() - interval '1 millisecond'`
        : clock === 'early' ? `ends_at = clock_timestamp() + interval '30 minutes'`
        : `ends_at = clock_timestamp() - interval '1 millisecond'`;
      await app.db.orm.em.fork().execute(`update auctions set ${change} where id = ?`, [current]);
      rules.passTime(m);
      sent.detail = `${clock} → ${currentAuction(m).clock}`;
      count(sent.detail);
      break;
    }
    case 'close': {
      // What the close job runs once the end has passed (an auction already settled is left alone).
      if (currentAuction(m).outcome === null) {
        await app.db.orm.em.fork().execute(
          `update auctions set ends_at = clock_timestamp() - interval '1 millisecond', starts_at = least(starts_at, clock_timestamp() - interval '2 milliseconds') where id = ? and status <> 'closed'`,
          [current],
        );
      }
      const result = await closeAuction(app.db.orm.em.fork(), app.deps.followUps, current);
      const expected = rules.close(m);
      const got = result.result === 'closed' ? { result: 'closed', outcome: result.outcome, trade: result.tradeId !== null } : { result: result.result };
      sent.detail = JSON.stringify(got);
      same(got, expected, `closeAuction answered ${sent.detail}`);
      count(result.result === 'closed' ? result.outcome : result.result);
      if (result.result === 'closed' && result.tradeId) w.tradeIds.push(result.tradeId);
      break;
    }
    case 'cancel-trade':
    case 'complete-trade': {
      const index = fromNewest(m.trades.length, c.pick);
      const who = rules.partyActor(m.trades[index]!, c.party);
      const action = c.type === 'cancel-trade' ? 'cancel' : 'complete';
      const body = c.type === 'cancel-trade' ? { reason: '연락이 없어요' } : undefined;
      await send('POST', `/v1/trades/${w.tradeIds[index]}/${action}`, who, (m) => (c.type === 'cancel-trade' ? rules.cancelTrade(m, index, who) : rules.completeTrade(m, index, who)), body);
      break;
    }
    case 'relist': {
      const terms = c.terms;
      let body: unknown = terms;
      if ('auction' in terms) {
        const { startPrice, reservePrice, buyNowPrice, startsLater } = terms.auction;
        const { startsAt, endsAt } = auctionTimes(startsLater);
        body = {
          auction: {
            startPrice,
            endsAt: endsAt.toISOString(),
            ...(startsAt && { startsAt: startsAt.toISOString() }),
            ...(reservePrice !== null && { reservePrice }),
            ...(buyNowPrice !== null && { buyNowPrice }),
          },
        };
      }
      const res = await send('POST', `/v1/listings/${w.listingId}/relist`, c.who, (m) => rules.relist(m, c.who, terms), body);
      if (res.status === 201 && 'auction' in terms) w.auctionIds.push(res.body.auctionId);
      break;
    }
    case 'second-chance': {
      const index = secondChanceTarget(m, c.back);
      const res = await send('POST', `/v1/auctions/${w.auctionIds[index]}/second-chance`, c.who, (m) => rules.secondChance(m, index, c.who));
      if (res.status === 201) w.offerIds.push(res.body.offerId);
      break;
    }
    case 'accept-offer': {
      const index = fromNewest(m.offers.length, c.pick);
      const offer = m.offers[index]!;
      const who: Actor = c.byOfferBuyer ? offer.buyer : rules.BIDDERS.find((b) => b !== offer.buyer)!;
      const res = await send('POST', `/v1/offers/${w.offerIds[index]}/accept`, who, (m) => rules.acceptOffer(m, index, who));
      if (res.status === 201) w.tradeIds.push(res.body.tradeId);
      break;
    }
    case 'purchase': {
      const res = await send('POST', `/v1/listings/${w.listingId}/purchase`, c.who, (m) => rules.purchase(m, c.who));
      if (res.status === 201) w.tradeIds.push(res.body.id);
      break;
    }
  }
  same(await observe(w), rules.visible(m), `after ${describe(c)} (${sent.detail}) the service (+) shows another state than the model (-)`);
}

/** A command for fast-check's model runner. */
export class Step implements fc.AsyncCommand<Model, World> {
  readonly command: Command;

  constructor(command: Command) {
    this.command = command;
  }

  check(m: Readonly<Model>): boolean {
    return applicable(m, this.command);
  }

  async run(m: Model, w: World): Promise<void> {
    await runCommand(m, w, this.command);
  }

  toString(): string {
    return describe(this.command);
  }
}
