import test from 'ava';
import { createAuctionListing } from '../../domain/auctions/create-auction-listing.ts';
import { placeBid } from '../../domain/auctions/place-bid.ts';
import type { CommittedFollowUps, FollowUpDispatcher } from '../../domain/follow-ups/follow-ups.ts';
import { jobIds } from '../../domain/follow-ups/job-contract.ts';
import { transactionWithFollowUps } from '../../domain/follow-ups/transaction.ts';
import { createFollowUpDispatcher } from '../../infra/follow-up-dispatcher.ts';
import { createJobQueues } from '../../infra/job-queues.ts';
import { createLogger } from '../../infra/logger.ts';
import { createEventBus } from '../../infra/event-bus.ts';
import { createRedis } from '../../infra/redis.ts';
import { runWithRequestId } from '../../infra/request-origin.ts';
import { diedAfterCommit, outboxJobs } from '../support/follow-ups.ts';
import { startUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';

/**
 * Follow-ups are declared by use cases and recorded in their transaction, so what must follow a
 * commit survives the process that committed: these run the use cases against the real database
 * with a dispatcher that never runs (the process died), then let the relay finish from the rows.
 */
let h: UseCaseHarness;
test.before(async () => {
  h = await startUseCaseHarness('followups', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0' });
});
test.after.always(async () => {
  await h?.close();
});

const HOUR_MS = 3_600_000;
const noLimit = { consume: async () => undefined };

async function auction(sellerId: string, endsAt: Date, followUps: FollowUpDispatcher = h.infra.followUps) {
  const { auction } = await createAuctionListing(h.em(), { settings: h.infra.config.auctions, followUps }, sellerId, {
    title: '후속 작업 경매',
    description: 'follow-ups',
    categoryId: 1,
    imageUrls: [],
    auction: { startPrice: 10_000, endsAt },
  });
  return auction.id;
}

const bid = (auctionId: string, bidderId: string, amount: number, followUps: FollowUpDispatcher) =>
  placeBid(h.em(), { settings: h.infra.config.auctions, bidRateLimiter: noLimit, followUps }, { auctionId, bidderId, amount });

test.serial('a close job declared by a process that died after its commit waits in the outbox, due by the database clock, and the relay enqueues it', async (t) => {
  const seller = await h.user();
  const endsAt = new Date(Date.now() + HOUR_MS);
  const auctionId = await auction(seller.id, endsAt, diedAfterCommit);

  const [job] = (await outboxJobs(h.em())).filter((j) => j.payload.auctionId === auctionId);
  t.truthy(job, 'the close job is on record');
  t.is(job!.name, 'close-auction');
  t.is(job!.job_id, jobIds.closeAuction(auctionId, endsAt));
  t.true(Math.abs(job!.delay_ms - HOUR_MS) < 5_000, `due in about an hour by the database clock (${job!.delay_ms} ms)`);
  t.is(await h.infra.jobs.queues.auctions.getJob(job!.job_id), undefined, 'nothing reached the queue');

  const relayed = await h.infra.followUps.relayStranded({ graceMs: 0 });
  t.true(relayed.jobs >= 1);
  const queued = await h.infra.jobs.queues.auctions.getJob(job!.job_id);
  t.truthy(queued, 'the relay enqueued it under its deterministic id');
  t.is(await queued!.getState(), 'delayed');
  t.true(Math.abs(queued!.opts.delay! - HOUR_MS) < 5_000, 'with the delay the database clock gave');
  t.deepEqual((await outboxJobs(h.em())).filter((j) => j.payload.auctionId === auctionId), [], 'and the row is gone');
});

test.serial('a bid committed by a process that died: the event stays unpublished and the outbid notice pending until the relay', async (t) => {
  const [seller, first, second] = [await h.user(), await h.user(), await h.user()];
  const auctionId = await auction(seller.id, new Date(Date.now() + HOUR_MS));
  await bid(auctionId, first.id, 10_000, h.infra.followUps);
  await bid(auctionId, second.id, 11_000, diedAfterCommit);

  const em = h.em();
  const events = await em.execute<{ seq: string; published: boolean }[]>('select seq, published_at is not null as published from auction_events where auction_id = ? order by seq', [auctionId]);
  t.deepEqual(events.map((e) => [Number(e.seq), e.published]), [[1, true], [2, false]], 'the first was published by its own process, the second not');
  const [notice] = await em.execute<{ id: string; status: string }[]>(`select id, status from notifications where auction_id = ? and kind = 'outbid'`, [auctionId]);
  t.is(notice!.status, 'pending');

  const listener = createRedis(h.infra.config.redisUrl, 'subscriber');
  t.teardown(() => listener.disconnect());
  const heard: number[] = [];
  const heardByUser: unknown[] = [];
  listener.on('message', (channel: string, message: string) => {
    if (channel.includes(':user-events:')) heardByUser.push(JSON.parse(message));
    else heard.push(JSON.parse(message).seq);
  });
  await listener.subscribe(`${h.infra.config.redisKeyPrefix}:auction-events:${auctionId}`, `${h.infra.config.redisKeyPrefix}:user-events:${first.id}`);
  const [userEvent] = await em.execute<{ published: boolean }[]>('select published_at is not null as published from user_events where notification_id = ?', [notice!.id]);
  t.false(userEvent!.published, "the outbid user's stream event waits too");

  const relayed = await h.infra.followUps.relayStranded({ graceMs: 0, notificationGraceS: 0 });
  t.true(relayed.events >= 1 && relayed.notifications >= 1 && relayed.userEvents >= 1);
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.deepEqual(heard, [2], 'only the stranded event was published');
  t.like(heardByUser, [{ userId: first.id, seq: 1, type: 'notification', notification: { id: notice!.id, kind: 'outbid' } }], "the outbid user's stream hears of it");
  t.truthy(await h.infra.jobs.queues.notifications.getJob(jobIds.sendSms(notice!.id)), 'the outbid notice has its send job');
  const [after] = await em.execute<{ published: boolean }[]>('select published_at is not null as published from auction_events where auction_id = ? and seq = 2', [auctionId]);
  t.true(after!.published);
});

test.serial('the dispatcher carries everything out right after the commit, with the request id, leaving no rows for the relay', async (t) => {
  const seller = await h.user();
  const endsAt = new Date(Date.now() + HOUR_MS);
  const auctionId = await runWithRequestId('req-followups-0001', () => auction(seller.id, endsAt));
  const queued = await h.infra.jobs.queues.auctions.getJob(jobIds.closeAuction(auctionId, endsAt));
  t.truthy(queued);
  t.is(queued!.data.requestId, 'req-followups-0001');
  t.deepEqual((await outboxJobs(h.em())).filter((j) => j.payload.auctionId === auctionId), []);
});

test.serial('when Redis cannot be reached, a committed change is not undone and its follow-ups wait in their rows', async (t) => {
  const config = h.infra.config;
  const deadUrl = 'redis://127.0.0.1:1';
  const jobs = createJobQueues(deadUrl, config.redisKeyPrefix, { failFast: true });
  const redis = createRedis(deadUrl, 'commands', { retryStrategy: () => null });
  redis.on('error', () => undefined);
  const logs: string[] = [];
  const logger = createLogger('warn', {}, { write: (line: string) => void logs.push(line) });
  const offline = createFollowUpDispatcher({ orm: h.db.orm, events: createEventBus(redis, config.redisKeyPrefix), jobs, logger });
  t.teardown(async () => {
    await jobs.close();
    redis.disconnect();
  });

  const seller = await h.user();
  const endsAt = new Date(Date.now() + HOUR_MS);
  const auctionId = await auction(seller.id, endsAt, offline);
  t.truthy(auctionId, 'the listing was created all the same');
  t.is((await outboxJobs(h.em())).filter((j) => j.payload.auctionId === auctionId).length, 1, 'its close job waits for the relay');
  t.true(logs.some((line) => line.includes('follow-up not carried out after commit')), 'and the failure was logged');
});

test.serial('a rolled-back change carries nothing out and records nothing', async (t) => {
  const calls: CommittedFollowUps[] = [];
  const watching: FollowUpDispatcher = { dispatch: async (f) => void calls.push(f) };
  const before = (await outboxJobs(h.em())).length;
  await t.throwsAsync(
    transactionWithFollowUps(h.em(), watching, async () => {
      throw new Error('refused');
    }),
    { message: 'refused' },
  );
  await t.throwsAsync(
    transactionWithFollowUps(h.em(), watching, async (tx) => {
      await tx.execute('select 1');
      return { value: 1, followUps: { jobs: [{ name: 'delete-objects', payload: { keys: ['x'] } }] } };
    }).then(async () => {
      throw new Error('after');
    }),
    { message: 'after' },
  );
  t.is(calls.length, 1, 'only the committed change was dispatched');
  t.is((await outboxJobs(h.em())).length, before + 1, 'and only it recorded a job');
});
