import test from 'ava';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { redeclareScheduledJobs } from '../../domain/maintenance/scheduled-jobs.ts';
import { diedAfterCommit, outboxJobs } from '../support/follow-ups.ts';
import { startUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';

/**
 * What PostgreSQL says must be scheduled, declared again (as after Redis lost its data): a close
 * job for every auction not closed, at its current end, and an expiry for every pending offer,
 * each once, under the job contract's ids, in batches; nothing for what is closed or decided.
 */
let h: UseCaseHarness;
test.before(async () => {
  h = await startUseCaseHarness('scheduledjobs');
});
test.after.always(async () => {
  await h?.close();
});

const HOUR_MS = 3_600_000;

async function auctionRow(sellerId: string, status: 'scheduled' | 'open' | 'closed', endsAt: Date): Promise<string> {
  const em = h.em();
  const [listing] = await em.execute<{ id: string }[]>(
    `insert into listings (id, seller_id, category_id, title, description, sale_type, price) values (gen_random_uuid(), ?, 1, '일정 경매', '', 'auction', 1000) returning id`,
    [sellerId],
  );
  const [auction] = await em.execute<{ id: string }[]>(
    `insert into auctions (id, listing_id, seller_id, status, start_price, current_price, starts_at, ends_at, original_ends_at, outcome, closed_at)
     values (gen_random_uuid(), ?, ?, ?, 1000, 1000, now() - interval '1 hour', ?, ?, ${status === 'closed' ? `'unsold', now()` : 'null, null'}) returning id`,
    [listing!.id, sellerId, status, endsAt.toISOString(), endsAt.toISOString()],
  );
  return auction!.id;
}

test('every auction not closed gets its close job at its end, every pending offer its expiry, each once, across batches', async (t) => {
  const [seller, buyer] = [await h.user(), await h.user()];
  const base = Date.now() + HOUR_MS;
  // Two share an end, across a batch boundary (batch 2): the keyset must keep both.
  const ends = [new Date(base + 3_000), new Date(base + 1_000), new Date(base + 1_000), new Date(base - 2 * HOUR_MS), new Date(base + 5_000)];
  const open: { id: string; endsAt: Date }[] = [];
  for (const [i, endsAt] of ends.entries()) open.push({ id: await auctionRow(seller.id, i === 4 ? 'scheduled' : 'open', endsAt), endsAt });
  const [closed, decided] = [await auctionRow(seller.id, 'closed', new Date(base - 2 * HOUR_MS)), await auctionRow(seller.id, 'closed', new Date(base - 2 * HOUR_MS))];
  const offerExpiry = new Date(base + 7_000);
  const offer = (status: string, auctionId: string) =>
    h.em().execute<{ id: string }[]>(
      `insert into offers (id, kind, listing_id, auction_id, seller_id, buyer_id, amount, expires_at, status)
       select gen_random_uuid(), 'second_chance', listing_id, id, seller_id, ?, 1000, ?, ? from auctions where id = ? returning id`,
      [buyer.id, offerExpiry.toISOString(), status, auctionId],
    );
  const [pending] = await offer('pending', closed);
  await offer('expired', decided);

  const declared = await redeclareScheduledJobs(h.em(), diedAfterCommit, { batch: 2 });
  t.deepEqual(declared, { closes: 5, expiries: 1 });
  const recorded = await outboxJobs(h.em());
  const closeIds = recorded.filter((j) => j.name === 'close-auction').map((j) => j.job_id);
  t.deepEqual(closeIds.sort(), open.map((a) => jobIds.closeAuction(a.id, a.endsAt)).sort(), 'one close job per auction not closed, at its end');
  t.false(recorded.some((j) => j.payload.auctionId === closed || j.payload.auctionId === decided), 'none for the closed auctions');
  t.deepEqual(
    recorded.filter((j) => j.name === 'expire-offer').map((j) => j.job_id),
    [jobIds.expireOffer(pending!.id)],
    'one expiry, for the pending offer only',
  );
  const overdue = recorded.find((j) => j.job_id === jobIds.closeAuction(open[3]!.id, open[3]!.endsAt));
  t.is(overdue?.delay_ms, 0, 'an overdue close runs at once');
  await h.em().execute('delete from job_outbox');

  // Carried out: the jobs reach the queue; declaring again adds none (the ids are the normal ones).
  await redeclareScheduledJobs(h.em(), h.infra.followUps);
  const queued = await h.infra.jobs.queues.auctions.getJobCounts('delayed', 'waiting');
  t.is((queued.delayed ?? 0) + (queued.waiting ?? 0), 5);
  await redeclareScheduledJobs(h.em(), h.infra.followUps);
  t.deepEqual(await h.infra.jobs.queues.auctions.getJobCounts('delayed', 'waiting'), queued);
  t.deepEqual(await outboxJobs(h.em()), [], 'nothing left in the outbox');
});

test.serial('a price offer awaiting either party (countered or not) gets its expiry at its current due time; a declined or withdrawn one none', async (t) => {
  const [seller, buyer] = [await h.user(), await h.user()];
  const [listing] = await h.em().execute<{ id: string }[]>(
    `insert into listings (id, seller_id, category_id, title, description, sale_type, price) values (gen_random_uuid(), ?, 1, '가격 제안', '', 'fixed', 50000) returning id`,
    [seller.id],
  );
  const due = new Date(Date.now() + 2 * HOUR_MS);
  const priceOffer = async (status: string, counter: number | null) =>
    (await h.em().execute<{ id: string }[]>(
      `insert into offers (id, kind, listing_id, seller_id, buyer_id, amount, counter_amount, expires_at, status)
       values (gen_random_uuid(), 'price', ?, ?, ?, 40000, ?, ?, ?) returning id`,
      [listing!.id, seller.id, buyer.id, counter, due.toISOString(), status],
    ))[0]!.id;
  // One open offer per buyer and listing: the open one is the countered one; the others are decided.
  const countered = await priceOffer('pending', 45_000);
  const decided = [await priceOffer('declined', null), await priceOffer('withdrawn', 45_000)];
  await h.em().execute('delete from job_outbox');
  await redeclareScheduledJobs(h.em(), diedAfterCommit);
  const expiries = (await outboxJobs(h.em())).filter((j) => j.name === 'expire-offer');
  const mine = expiries.filter((j) => j.job_id === jobIds.expireOffer(countered));
  t.is(mine.length, 1);
  t.is(mine[0]!.payload.expiresAt, due.toISOString());
  t.false(expiries.some((j) => decided.includes(j.payload.offerId as string)), 'none for the decided offers');
  // Serial, before the test above, which counts every pending offer in the database.
  await h.em().execute('delete from job_outbox');
  await h.em().execute('delete from listings where id = ?', [listing!.id]);
});
