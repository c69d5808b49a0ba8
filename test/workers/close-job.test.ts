import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { createTestAuction, listAuction, placeBid } from '../support/listings.ts';
import { jobTrouble, recordingSms, sql, startInProcessWorkers, troubleIn, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * The close job on its own, with the sweep out of the way (it runs once at start, then hourly), so
 * a job that fails to close an auction on time shows as a late close instead of being rescued.
 * Soft close is a 2 s window here.
 */
let app: TestApi;
let workers: InProcessWorkers;
test.before(async () => {
  app = await startTestApi('close_job', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '2', SWEEP_INTERVAL_S: '3600' });
  workers = await startInProcessWorkers(app, recordingSms());
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
});

const stateOf = async (auctionId: string) => {
  const [row] = await sql(
    app,
    `select status, ends_at, original_ends_at, (extract(epoch from closed_at - ends_at) * 1000)::int as late_ms,
            (select count(*)::int from auction_events e where e.auction_id = a.id and e.type = 'closed') as closed_events
     from auctions a where id = ?`,
    [auctionId],
  );
  return row;
};

test('a close job that runs before the end by the database clock (a host clock ahead) runs again at the end and closes on time', async (t) => {
  const seller = await app.signup();
  const endsAt = new Date(Date.now() + 1_500);
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt });
  // The job the route schedules, but due at once, as a worker whose clock runs ahead would see it.
  await app.deps.jobs.enqueue('close-auction', { auctionId, endsAt: endsAt.toISOString() }, { jobId: jobIds.closeAuction(auctionId, endsAt) });
  await sleep(300);
  t.is((await stateOf(auctionId)).status, 'open', 'not closed early');

  // Bound: closed within 1 s of its end.
  await waitFor('the auction to close', async () => (await stateOf(auctionId)).status === 'closed', endsAt.getTime() + 1_000 - Date.now());
  const state = await stateOf(auctionId);
  t.true(state.late_ms >= 0 && state.late_ms < 1_000, `closed ${state.late_ms} ms after its end`);
  t.is(state.closed_events, 1);
});

test('a bid in the soft-close window moves the end: the first job finds it not due, a job for the new end closes it on time', async (t) => {
  const [seller, bidder] = await Promise.all([app.signup(), app.signup()]);
  const { auctionId, endsAt } = await listAuction(app, seller, { endsAt: new Date(Date.now() + 2_500) });
  await sleep(endsAt.getTime() - 1_000 - Date.now());
  const bid = await placeBid(app, bidder, auctionId, 10_000);
  const movedTo = new Date(bid.body.auction.endsAt);
  t.true(movedTo.getTime() > endsAt.getTime(), 'the bid extended the auction');

  await sleep(endsAt.getTime() + 300 - Date.now());
  t.is((await stateOf(auctionId)).status, 'open', 'the job for the original end did not close it');
  const first = await app.deps.jobs.queues.auctions.getJob(jobIds.closeAuction(auctionId, endsAt));
  t.like(first?.returnvalue, { status: 'rescheduled', detail: movedTo.toISOString() });

  // Bound: closed within 1 s of the new end.
  await waitFor('the auction to close', async () => (await stateOf(auctionId)).status === 'closed', movedTo.getTime() + 1_000 - Date.now());
  const state = await stateOf(auctionId);
  t.is(new Date(state.ends_at).getTime(), movedTo.getTime());
  t.true(state.late_ms >= 0 && state.late_ms < 1_000, `closed ${state.late_ms} ms after its end`);
  t.is(state.closed_events, 1);
});

test.after(async (t) => {
  t.deepEqual(await jobTrouble(workers.jobs), []);
  t.deepEqual(troubleIn(workers.logs), []);
});
