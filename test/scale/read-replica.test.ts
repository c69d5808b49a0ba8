import test from 'ava';
import { startTestApi, type TestApi } from '../support/api.ts';
import { createListing, listAuction, placeBid } from '../support/listings.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';
import { startPrivateReplica, type PrivateReplica } from '../support/private-replica.ts';
import { eventually } from '../support/sse-client.ts';

/**
 * DATABASE_READ_URL on a real streaming replica: a private primary and `pg_basebackup -R` of it.
 * Pausing the replica's WAL replay makes it lag on demand, which tells apart what is read from
 * where: search, bid history and profiles lag with it; the listing just created, the auction's
 * state and every bid (the lock, the rules, the writes) do not. Serial: one replica.
 */
let primary: PrivatePostgres;
let replica: PrivateReplica;
let app: TestApi;

test.before(async () => {
  primary = await startPrivatePostgres();
  replica = await startPrivateReplica(primary);
  app = await startTestApi('replica', { BID_RATE_LIMIT_PER_MIN: '100000' }, { adminDatabaseUrl: primary.adminUrl, ownPool: true, readReplica: (url) => replica.urlOf(url) });
});
test.after.always(async () => {
  await app?.close();
  await replica?.dispose();
  await primary?.dispose();
});

const search = async (q: string) => {
  const res = await app.request('GET', `/v1/listings?q=${encodeURIComponent(q)}`);
  if (res.status !== 200) throw new Error(`search: ${res.status}`);
  return (res.body.items as { id: string }[]).map((item) => item.id);
};

test.serial('search is answered from the replica; the listing just created and the bids are not', async (t) => {
  const [seller, bidder] = await Promise.all([app.signup(), app.signup()]);
  const first = await createListing(app, seller, { title: '복제본 캠핑의자' });
  await eventually(() => search('캠핑의자'), (ids) => ids.includes(first.id), 10_000, 'the replica to have the first listing');

  await replica.pauseReplay();
  try {
    const second = await createListing(app, seller, { title: '복제본 캠핑의자 둘' });
    const auction = await listAuction(app, seller, { title: '복제본 경매', endsAt: new Date(Date.now() + 3_600_000) });
    // Read-your-own-write: the seller's own listing, read by id, comes from the primary at once.
    const own = await app.request('GET', `/v1/listings/${second.id}`);
    t.is(own.status, 200);
    // Bids lock and write on the primary (a replica would refuse them), and the auction's state reads it.
    const bid = await placeBid(app, bidder, auction.auctionId, 10_000);
    t.is(bid.status, 201);
    t.is((await app.request('GET', `/v1/auctions/${auction.auctionId}`)).body.bidCount, 1);
    // Search and profile counts lag with the paused replica.
    t.deepEqual(await search('캠핑의자'), [first.id], 'search does not see what the replica has not replayed');
    const profile = await app.request('GET', `/v1/users/${seller.id}`);
    t.is(profile.status, 200);
    t.is(profile.body.listingCounts.onSale, 1, 'the profile counts only what the replica has');
  } finally {
    await replica.resumeReplay();
  }
  await eventually(() => search('캠핑의자'), (ids) => ids.length === 2, 10_000, 'search to catch up once replay resumes');
});

test.serial('the replica down: search answers 503 database-unavailable, everything else goes on', async (t) => {
  const [seller, bidder] = await Promise.all([app.signup(), app.signup()]);
  await replica.stop();
  try {
    const res = await app.request('GET', '/v1/listings?q=anything');
    t.is(res.status, 503);
    t.is(res.headers.get('content-type'), 'application/problem+json');
    t.regex(res.body.type, /database-unavailable/);
    const auction = await listAuction(app, seller, { title: '주 서버 경매', endsAt: new Date(Date.now() + 3_600_000) });
    t.is((await placeBid(app, bidder, auction.auctionId, 10_000)).status, 201);
    t.is((await app.request('GET', `/v1/listings/${auction.listingId}`)).status, 200);
  } finally {
    await replica.start();
  }
  await eventually(() => search('주 서버 경매'), (ids) => ids.length === 1, 20_000, 'search back once the replica is');
});
