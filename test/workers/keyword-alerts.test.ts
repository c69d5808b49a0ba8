import test from 'ava';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { createListing, expectStatus, listAuction } from '../support/listings.ts';
import { recordingSms, startInProcessWorkers, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * Keyword alerts end to end: an alert made over HTTP, a listing created over HTTP, the
 * `match-keyword-alerts` job run by the real workers, the notice in the owner's inbox.
 */
let app: TestApi;
let workers: InProcessWorkers;
const sms = recordingSms();
test.before(async () => {
  app = await startTestApi('keyword_alert_jobs');
  workers = await startInProcessWorkers(app, sms);
});
test.after.always(async () => {
  await workers?.close();
  await app?.close();
});

const alert = async (user: TestUser, keyword: string) =>
  (await expectStatus(await app.request('POST', '/v1/me/keyword-alerts', { token: user.accessToken, body: { keyword } }), 201, `alert ${keyword}`)).body;
const matchesOf = async (user: TestUser) =>
  (await app.request('GET', '/v1/me/notifications', { token: user.accessToken })).body.items.filter((item: any) => item.kind === 'keyword_match');

test('a new listing whose words match tells the alert owner (inbox only), not the seller, and a relist tells them again', async (t) => {
  const [watcher, seller, bystander] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  await alert(watcher, '의자');
  await alert(seller, '의자');
  await alert(bystander, '냉장고');
  const listing = await createListing(app, seller, { title: '캠핑의자를 팝니다', description: '두 번 썼어요', categoryId: 8, price: 20_000 });

  const [notice] = await waitFor('the keyword_match notice', async () => (await matchesOf(watcher)).length && matchesOf(watcher), 10_000);
  t.like(notice, { listingId: listing.id, listingTitle: '캠핑의자를 팝니다', data: { keyword: '의자' } });
  // The job is done by now: the seller's own alert and the unrelated one heard nothing.
  await waitFor('the job to finish', async () => (await workers.jobs.queues.notifications.getCompletedCount()) > 0 && (await workers.jobs.queues.notifications.getActiveCount()) === 0, 10_000);
  t.deepEqual(await matchesOf(seller), []);
  t.deepEqual(await matchesOf(bystander), []);
  t.deepEqual(sms.sent, [], 'no SMS for a keyword match');

  // An auction listing is a new listing too; cancelled, it ends, and relisting puts it on sale again.
  const auction = await listAuction(app, seller, { title: '접이식 의자', endsAt: new Date(Date.now() + 3_600_000) });
  await waitFor('a notice for the auction listing', async () => (await matchesOf(watcher)).length === 2, 10_000);
  await expectStatus(await app.request('POST', `/v1/auctions/${auction.auctionId}/cancel`, { token: seller.accessToken, body: { reason: '다시 올릴게요' } }), 200, 'cancel');
  await expectStatus(await app.request('POST', `/v1/listings/${auction.listingId}/relist`, { token: seller.accessToken, body: { price: 9_000 } }), 201, 'relist');
  await waitFor('a second notice for the relisted listing', async () => (await matchesOf(watcher)).filter((n: any) => n.listingId === auction.listingId).length === 2, 10_000);
  t.pass();
});
