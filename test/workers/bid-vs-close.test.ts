import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { listAuction } from '../support/listings.ts';
import { jobTrouble, recordingSms, sql, startInProcessWorkers, troubleIn, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * Bids racing the close. Several auctions end a few hundred milliseconds apart; on each, six
 * bidders keep bidding from 0.7 s before its end until they are told it is closed, while the real
 * workers close it at its end. Whatever the interleaving: a bid is either accepted (201), stored
 * before the end and counted in the settled auction, or refused (409 auction-closed, or 422 for a
 * stale amount); no bid is accepted once the auction is closed; the closing price and winner are
 * those of the last accepted bid. Soft close is off so the end stays put.
 */
const AUCTIONS = 8;
const BIDDERS_PER_AUCTION = 6;
const LEAD_MS = 700;
/** Bound on closed_at - ends_at. */
const CLOSE_BOUND_MS = 2_000;

let app: TestApi;
let workers: InProcessWorkers;
test.before(async () => {
  app = await startTestApi('bid_vs_close', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0', BID_RATE_LIMIT_PER_MIN: '1000000' });
  workers = await startInProcessWorkers(app, recordingSms());
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
});

interface Attempt {
  bidder: TestUser;
  amount: number;
  sentAt: number;
  receivedAt: number;
  response: HttpResult;
}

const PROBLEMS = 'https://gavel.dev/problems/';

/** Bids at (or a step or two above) the last minimum it saw, until told the auction is closed. */
async function keepBidding(auctionId: string, bidder: TestUser, until: number, attempts: Attempt[]): Promise<void> {
  let minimum = 10_000;
  while (Date.now() < until) {
    const amount = minimum + 1_000 * Math.floor(Math.random() * 3);
    const sentAt = Date.now();
    const response = await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount } });
    attempts.push({ bidder, amount, sentAt, receivedAt: Date.now(), response });
    if (response.status === 409) return;
    minimum = Math.max(minimum, response.status === 201 ? response.body.auction.minimumBid : (response.body.minimumBid ?? minimum));
    await sleep(Math.random() * 15);
  }
}

test('bids racing the close: each is accepted and counted, or refused; none accepted after the close; the last accepted bid wins', async (t) => {
  const seller = await app.signup();
  const bidders = await Promise.all(Array.from({ length: 12 }, () => app.signup()));
  const firstEnd = Date.now() + 2_500;
  const auctions = await Promise.all(
    Array.from({ length: AUCTIONS }, (_, i) => listAuction(app, seller, { title: `마감 경합 ${i}`, endsAt: new Date(firstEnd + i * 300) })),
  );
  const lastEnd = auctions.at(-1)!.endsAt.getTime();

  // When the test first saw each auction stored as closed (a poll every 10 ms).
  const closedSeenAt = new Map<string, number>();
  const watching = (async () => {
    while (closedSeenAt.size < AUCTIONS && Date.now() < lastEnd + 5_000) {
      for (const { id } of await sql<{ id: string }>(app, `select id from auctions where status = 'closed'`)) if (!closedSeenAt.has(id)) closedSeenAt.set(id, Date.now());
      await sleep(10);
    }
  })();

  const attemptsByAuction = new Map<string, Attempt[]>(auctions.map((a) => [a.auctionId, []]));
  await Promise.all(
    auctions.flatMap(({ auctionId, endsAt }, i) =>
      Array.from({ length: BIDDERS_PER_AUCTION }, async (_, b) => {
        await sleep(endsAt.getTime() - LEAD_MS - Date.now());
        await keepBidding(auctionId, bidders[(i + b) % bidders.length]!, endsAt.getTime() + 1_500, attemptsByAuction.get(auctionId)!);
      }),
    ),
  );
  await watching;
  await waitFor('every auction closed', async () => closedSeenAt.size === AUCTIONS, 1_000);

  let accepted = 0;
  let refusedClosed = 0;
  for (const { auctionId, listingId } of auctions) {
    const attempts = attemptsByAuction.get(auctionId)!;
    const label = `auction ${auctionId}`;
    for (const a of attempts) {
      const { status, body } = a.response;
      if (status === 201) continue;
      t.true(status === 409 || status === 422, `${label}: a bid got ${status} ${JSON.stringify(body)}`);
      if (status === 409) t.is(body.type, `${PROBLEMS}auction-closed`);
      if (status === 422) t.true([`${PROBLEMS}bid-too-low`, `${PROBLEMS}max-not-raised`].includes(body.type), body.type);
    }
    const wins = attempts.filter((a) => a.response.status === 201);
    accepted += wins.length;
    refusedClosed += attempts.filter((a) => a.response.status === 409).length;
    t.true(wins.length > 0 && attempts.some((a) => a.response.status === 409), `${label}: bids both before and after the end`);

    const [auction] = await sql(
      app,
      `select status, outcome, current_price, leader_id, bid_count,
              (extract(epoch from closed_at - ends_at) * 1000)::int as late_ms from auctions where id = ?`,
      [auctionId],
    );
    const rows = await sql<{ id: string; kind: string; before_end: boolean; before_close: boolean }>(
      app,
      `select b.id, b.kind, b.created_at < a.ends_at as before_end, b.created_at < a.closed_at as before_close
       from bids b join auctions a on a.id = b.auction_id where b.auction_id = ? order by b.seq`,
      [auctionId],
    );

    // Accepted responses and stored bids are the same set (besides the engine's proxy rows for a
    // leader who raised its own maximum); every stored bid precedes the end and the close.
    const own = rows.filter((r) => r.kind !== 'proxy');
    t.deepEqual(own.map((r) => r.id).sort(), wins.map((w) => w.response.body.bid.id as string).sort(), `${label}: accepted = stored`);
    t.true(rows.every((r) => r.before_end && r.before_close), `${label}: every stored bid was placed before the end and the close`);
    t.is(auction.bid_count, rows.filter((r) => r.kind !== 'max_raise').length, `${label}: bid count`);

    // The settlement is the state the last accepted bid left, as its response showed it.
    const lastWin = wins.find((w) => w.response.body.bid.id === own.at(-1)!.id)!.response.body.auction;
    t.like(auction, { status: 'closed', outcome: 'sold', leader_id: lastWin.leaderId, bid_count: lastWin.bidCount });
    t.is(Number(auction.current_price), lastWin.currentPrice, `${label}: final price`);
    t.true(auction.late_ms >= 0 && auction.late_ms < CLOSE_BOUND_MS, `${label}: closed ${auction.late_ms} ms after its end`);

    const [closed] = await sql(app, `select payload from auction_events where auction_id = ? and type = 'closed'`, [auctionId]);
    t.like(closed?.payload, { status: 'closed', outcome: 'sold', currentPrice: lastWin.currentPrice, leaderId: lastWin.leaderId, bidCount: lastWin.bidCount });
    const trades = await sql(app, 'select buyer_id, price from trades where listing_id = ?', [listingId]);
    t.deepEqual(trades.map((tr) => [tr.buyer_id, Number(tr.price)]), [[lastWin.leaderId, lastWin.currentPrice]]);

    // Nothing accepted once the test had seen it closed, nor after a bidder had been told so.
    const seen = closedSeenAt.get(auctionId)!;
    t.false(wins.some((w) => w.sentAt > seen), `${label}: a bid sent after the close was accepted`);
    for (const bidder of new Set(attempts.map((a) => a.bidder))) {
      const own = attempts.filter((a) => a.bidder === bidder);
      const told = own.findIndex((a) => a.response.status === 409);
      if (told >= 0) t.false(own.slice(told).some((a) => a.response.status === 201), `${label}: accepted after auction-closed`);
    }
  }
  t.log(`${accepted} bids accepted, ${refusedClosed} refused as closed, over ${AUCTIONS} auctions`);
  t.deepEqual(await jobTrouble(workers.jobs), []);
  t.deepEqual(troubleIn(workers.logs), []);
});
