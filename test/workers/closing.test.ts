import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { startSnsRecorder, type SnsRecorder } from '../support/sns.ts';
import { killWorkerProcesses, spawnWorkerProcess, stopWorkerProcess, waitForWorkerCount, type WorkerProcess } from '../support/worker-process.ts';
import { listAuction, placeBid } from '../support/listings.ts';
import { jobTrouble, sql, troubleIn, waitFor } from '../support/workers.ts';

/**
 * 200 auctions ending within the same 3 seconds, closed by two worker processes (`node
 * main/worker.ts`) racing each other and their own sweep (every second). Every auction must be
 * settled exactly once, on time, with exactly its SMS.
 *
 * BullMQ delivers a job at least once (a stalled job runs again while its first run may still be
 * going), so every auction also gets two duplicate close jobs due at the same moment, and the two
 * processes race on each auction. The unique indexes (one live trade per listing, one event per
 * seq, one notification per dedupe key) would turn an unguarded double close into a failed job
 * rather than a double trade, so the test also requires that no job attempt failed: without the
 * row lock the racers collide there; without the "already closed" check they close twice.
 */
const DUPLICATE_CLOSE_JOBS = 2;
const AUCTIONS = 200;
const SPREAD_MS = 3_000;
/** Bound on lateness: closed_at - ends_at. */
const CLOSE_BOUND_MS = 5_000;

let app: TestApi;
let sns: SnsRecorder;
const workers: WorkerProcess[] = [];

test.before(async () => {
  app = await startTestApi('closing', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0', BID_RATE_LIMIT_PER_MIN: '100000' });
  sns = await startSnsRecorder();
});

test.after.always(async () => {
  await killWorkerProcesses();
  await app?.close();
  await sns?.close();
});

type Plan = { kind: 'sold' } | { kind: 'no-bids' } | { kind: 'reserve-not-met' };
/** Three in four sold; the rest unsold, half of them with a bid under the reserve. */
const planFor = (i: number): Plan => (i % 4 !== 3 ? { kind: 'sold' } : i % 8 === 3 ? { kind: 'no-bids' } : { kind: 'reserve-not-met' });

test('two worker processes close 200 auctions ending together: each exactly once, within 5 s, with exactly its SMS', async (t) => {
  const started = Date.now();
  const env = { SNS_ENDPOINT: sns.url, JOB_LOCK_MS: '2000', SWEEP_INTERVAL_S: '1', WORKER_CONCURRENCY: '10', DATABASE_POOL_MAX: '10' };
  workers.push(spawnWorkerProcess(app, env), spawnWorkerProcess(app, env));
  const [sellers, bidders] = await Promise.all([
    Promise.all(Array.from({ length: 4 }, () => app.signup())),
    Promise.all(Array.from({ length: 8 }, () => app.signup())),
  ]);
  await waitForWorkerCount(app.deps.jobs, 2);

  // Ends spread over 3 s, starting once setup (200 listings, 400 more jobs, 175 bids) has had time.
  const creating = Date.now();
  const firstEnd = creating + 9_000;
  const created = await inBatches(AUCTIONS, 25, async (i) => {
    const seller = sellers[i % sellers.length]!;
    const plan = planFor(i);
    const endsAt = new Date(firstEnd + Math.floor((i * SPREAD_MS) / AUCTIONS));
    const listing = await listAuction(app, seller, {
      title: `마감 테스트 #${String(i).padStart(3, '0')}`,
      endsAt,
      ...(plan.kind === 'reserve-not-met' ? { reservePrice: 50_000 } : {}),
    });
    const bidder = plan.kind === 'no-bids' ? null : bidders[i % bidders.length]!;
    await Promise.all([
      ...Array.from({ length: DUPLICATE_CLOSE_JOBS }, (_, k) =>
        app.deps.jobs.enqueue(
          'close-auction',
          { auctionId: listing.auctionId, endsAt: endsAt.toISOString() },
          { jobId: `${jobIds.closeAuction(listing.auctionId, endsAt)}-again-${k + 1}`, delayMs: endsAt.getTime() - Date.now() },
        ),
      ),
      bidder ? placeBid(app, bidder, listing.auctionId, 10_000 + 1_000 * (i % 7)) : null,
    ]);
    return { i, plan, seller, bidder, ...listing };
  });
  t.log(`creating the auctions took ${Date.now() - creating} ms; the first ends ${firstEnd - Date.now()} ms after that`);
  t.true(Date.now() < firstEnd - 500, 'setup finished before the first end (else bids would have been refused)');

  // Everything settled: all closed, every SMS notification sent (or given up), then a quiet second.
  const expectedSms = created.reduce((n, a) => n + (a.plan.kind === 'sold' ? 2 : 1), 0);
  await waitFor(
    'every auction closed and every SMS sent',
    async () => {
      const [row] = await sql<{ open: number; unsent: number }>(
        app,
        `select (select count(*) from auctions where status <> 'closed')::int as open,
                (select count(*) from notifications where status in ('pending', 'sending') and sms)::int as unsent`,
      );
      return row!.open === 0 && row!.unsent === 0 && sns.script.requests.length >= expectedSms;
    },
    firstEnd + SPREAD_MS + CLOSE_BOUND_MS + 10_000 - Date.now(),
    100,
  );
  await sleep(1_500);

  const auctions = await sql<{ id: string; listing_id: string; outcome: string; late_ms: number; leader_id: string | null; current_price: string }>(
    app,
    `select id, listing_id, outcome, leader_id, current_price,
            (extract(epoch from closed_at - ends_at) * 1000)::int as late_ms from auctions`,
  );
  const byId = new Map(auctions.map((a) => [a.id, a]));
  const closedEvents = await countBy(`select auction_id as key, count(*)::int as n from auction_events where type = 'closed' group by auction_id`);
  const trades = await sql<{ listing_id: string; buyer_id: string; seller_id: string; price: string }>(app, 'select listing_id, buyer_id, seller_id, price from trades');
  const notifications = await sql<{ auction_id: string; user_id: string; kind: string; status: string; sms: boolean; provider_message_id: string | null }>(
    app,
    'select auction_id, user_id, kind, status, sms, provider_message_id from notifications',
  );
  const phoneOf = new Map([...sellers, ...(bidders as TestUser[])].map((u) => [u.id, u.phone]));

  let wrong = 0;
  const check = (ok: boolean, message: string) => {
    if (!ok && wrong++ < 10) t.fail(message);
  };
  for (const a of created) {
    const row = byId.get(a.auctionId)!;
    const sold = a.plan.kind === 'sold';
    check(row.outcome === (sold ? 'sold' : 'unsold'), `#${a.i} outcome ${row.outcome}`);
    check(closedEvents.get(a.auctionId) === 1, `#${a.i} has ${closedEvents.get(a.auctionId)} closed events`);
    check(row.late_ms >= 0 && row.late_ms < CLOSE_BOUND_MS, `#${a.i} closed ${row.late_ms} ms after its end`);
    const itsTrades = trades.filter((tr) => tr.listing_id === a.listingId);
    check(itsTrades.length === (sold ? 1 : 0), `#${a.i} has ${itsTrades.length} trades`);
    if (sold) check(itsTrades[0]?.buyer_id === a.bidder!.id && Number(itsTrades[0]?.price) === Number(row.current_price), `#${a.i} trade ${JSON.stringify(itsTrades[0])}`);
    const kinds = notifications.filter((n) => n.auction_id === a.auctionId).map((n) => `${n.kind}:${n.user_id}`).sort();
    // A bidder under the reserve is told it did not win, in the inbox only.
    const expected = sold
      ? [`auction_sold:${a.seller.id}`, `auction_won:${a.bidder!.id}`]
      : [...(a.bidder ? [`auction_lost:${a.bidder.id}`] : []), `auction_unsold:${a.seller.id}`];
    check(JSON.stringify(kinds) === JSON.stringify(expected), `#${a.i} notifications ${kinds.join(',')}`);
  }
  t.is(wrong, 0, `${wrong} auctions settled wrongly`);
  t.true(notifications.every((n) => n.status === (n.sms ? 'sent' : 'pending')), 'every SMS notification sent, the inbox-only ones never');

  // At the SNS stand-in: exactly one Publish per notification (2 per sold auction, 1 per unsold),
  // each to the right phone with its own auction's title.
  const requests = sns.script.requests;
  t.is(requests.length, expectedSms, `${requests.length} SMS for ${expectedSms} notifications`);
  const byMessageId = new Map(notifications.filter((n) => n.sms).map((n) => [n.provider_message_id, n]));
  const perNotification = new Map<unknown, number>();
  for (const request of requests) {
    const n = byMessageId.get(request.messageId);
    if (!n) {
      t.fail(`an SMS no notification row accounts for: ${request.message}`);
      continue;
    }
    perNotification.set(n, (perNotification.get(n) ?? 0) + 1);
    const a = created.find((c) => c.auctionId === n.auction_id)!;
    check(request.phoneNumber === phoneOf.get(n.user_id), `#${a.i} ${n.kind} went to ${request.phoneNumber}`);
    check(request.message!.includes(`"마감 테스트 #${String(a.i).padStart(3, '0')}"`), `#${a.i} ${n.kind}: ${request.message}`);
  }
  t.true([...perNotification.values()].every((count) => count === 1), 'no notification sent twice');
  t.is(wrong, 0);

  const lateness = auctions.map((a) => a.late_ms).sort((x, y) => x - y);
  t.log(`lateness ms: median ${lateness[lateness.length >> 1]}, max ${lateness.at(-1)}; sweep closed ${workers.flatMap((w) => w.logs).filter((l) => l.msg === 'sweep closed an overdue auction').length}`);

  // No attempt failed anywhere: a double close would have surfaced here as a unique violation.
  t.deepEqual(await jobTrouble(app.deps.jobs), []);
  t.deepEqual(workers.flatMap((w) => troubleIn(w.logs)), []);

  for (const worker of workers) {
    const exit = await stopWorkerProcess(worker);
    t.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, 'SIGTERM drains and exits 0');
  }
  t.true(Date.now() - started < 40_000, `the whole test took ${Date.now() - started} ms`);
});

async function countBy(query: string): Promise<Map<string, number>> {
  return new Map((await sql<{ key: string; n: number }>(app, query)).map((r) => [r.key, r.n]));
}

async function inBatches<T>(count: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += width) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => make(start + k)))));
  }
  return results;
}
