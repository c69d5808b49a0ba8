import test from 'ava';
import { createAuctionListing } from '../../domain/auctions/create-auction-listing.ts';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { redeclareScheduledJobs } from '../../domain/maintenance/scheduled-jobs.ts';
import { diedAfterCommit, outboxJobs } from '../support/follow-ups.ts';
import { startUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';

/**
 * After Redis may have lost its delayed jobs, PostgreSQL declares them again: a close job for each
 * auction not closed, at its current end, and an expiry job for each pending offer, nothing for
 * what is settled. The dispatcher never runs here, so the declared jobs are read from the outbox.
 */
let h: UseCaseHarness;
test.before(async () => {
  h = await startUseCaseHarness('scheduled_jobs', { AUCTION_MIN_DURATION_S: '1' });
});
test.after.always(async () => {
  await h?.close();
});

const HOUR_MS = 3_600_000;

async function auction(sellerId: string, endsAt: Date) {
  const { auction } = await createAuctionListing(h.em(), { settings: h.infra.config.auctions, followUps: diedAfterCommit }, sellerId, {
    title: '다시 선언할 경매',
    description: 'redeclare',
    categoryId: 1,
    imageUrls: [],
    auction: { startPrice: 10_000, endsAt },
  });
  return { id: auction.id, listingId: auction.listingId, endsAt };
}

async function offer(listingId: string, auctionId: string, sellerId: string, buyerId: string, status: string) {
  const [row] = await h.em().execute<{ id: string; expires_at: Date }[]>(
    `insert into offers (id, kind, listing_id, auction_id, seller_id, buyer_id, amount, status, expires_at)
     values (gen_random_uuid(), 'second_chance', ?, ?, ?, ?, 10000, ?, clock_timestamp() + interval '2 days') returning id, expires_at`,
    [listingId, auctionId, sellerId, buyerId, status],
  );
  return { id: row!.id, expiresAt: new Date(row!.expires_at) };
}

test('every auction not closed gets its close job at its current end and every pending offer its expiry, a batch at a time, soonest first', async (t) => {
  const [seller, buyer] = [await h.user(), await h.user()];
  const later = await auction(seller.id, new Date(Date.now() + 2 * HOUR_MS));
  const sooner = await auction(seller.id, new Date(Date.now() + HOUR_MS));
  const closed = await auction(seller.id, new Date(Date.now() + 3 * HOUR_MS));
  const extended = await auction(seller.id, new Date(Date.now() + 4 * HOUR_MS));
  await h.em().execute(`update auctions set status = 'closed', outcome = 'unsold', closed_at = now() where id = ?`, [closed.id]);
  // A soft close moved this one's end: its job is due at the new end, not the one it was created with.
  const movedTo = new Date(Date.now() + 5 * HOUR_MS);
  await h.em().execute(`update auctions set ends_at = ? where id = ?`, [movedTo, extended.id]);
  const pending = await offer(sooner.listingId, sooner.id, seller.id, buyer.id, 'pending');
  await offer(closed.listingId, closed.id, seller.id, buyer.id, 'accepted');
  // What creation itself declared is not what this test reads.
  await h.em().execute('delete from job_outbox');

  // Batches of one, so the keyset has to carry from each batch to the next.
  const declared = await redeclareScheduledJobs(h.em(), diedAfterCommit, 1);
  t.deepEqual(declared, { closes: 3, expiries: 1 });
  const jobs = await outboxJobs(h.em());
  t.deepEqual(
    jobs.map((job) => [job.name, job.job_id]),
    [
      ['close-auction', jobIds.closeAuction(sooner.id, sooner.endsAt)],
      ['close-auction', jobIds.closeAuction(later.id, later.endsAt)],
      ['close-auction', jobIds.closeAuction(extended.id, movedTo)],
      ['expire-offer', jobIds.expireOffer(pending.id)],
    ],
  );
  t.like(jobs[0]!.payload, { auctionId: sooner.id, endsAt: sooner.endsAt.toISOString() });
  t.true(Math.abs(jobs[0]!.delay_ms - HOUR_MS) < 5_000, `due in about an hour by the database clock (${jobs[0]!.delay_ms} ms)`);
  t.like(jobs[3]!.payload, { offerId: pending.id, expiresAt: pending.expiresAt.toISOString() });
});
