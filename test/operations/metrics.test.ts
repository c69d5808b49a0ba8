import test from 'ava';
import { startTestApi, type TestApi } from '../support/api.ts';
import { createTestAuction } from '../support/listings.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('metrics');
});
test.after.always(async () => {
  await app?.close();
});

const scrape = async () => {
  const res = await app.request('GET', '/metrics');
  return { res, text: res.body as string };
};

/** The value of one sample line, e.g. `gavel_bids_total{...,result="accepted",...}`; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

test('/metrics is Prometheus text with the metrics operators need', async (t) => {
  const { res, text } = await scrape();
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  for (const name of ['gavel_http_request_duration_seconds', 'gavel_bids_total', 'gavel_sse_streams', 'gavel_queue_jobs', 'gavel_job_duration_seconds', 'gavel_auction_close_lateness_seconds', 'process_cpu_seconds_total']) {
    t.regex(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
  t.regex(text, /gavel_queue_jobs\{[^}]*queue="auctions"[^}]*state="delayed"/);
});

test('bid counters move: accepted, and rejected by reason', async (t) => {
  const seller = await app.signup();
  const bidder = await app.signup();
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) });
  const before = (await scrape()).text;
  t.is((await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount: 10_000 } })).status, 201);
  t.is((await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: seller.accessToken, body: { amount: 20_000 } })).status, 403);
  t.is((await app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body: { amount: 1 } })).status, 422);
  const after = (await scrape()).text;
  const delta = (labels: Record<string, string>) => sample(after, 'gavel_bids_total', labels) - sample(before, 'gavel_bids_total', labels);
  t.is(delta({ result: 'accepted' }), 1);
  t.is(delta({ result: 'rejected', reason: 'own-auction' }), 1);
  t.true(delta({ result: 'rejected', reason: 'max-not-raised' }) + delta({ result: 'rejected', reason: 'bid-too-low' }) === 1);
});

test('HTTP latency is recorded per route template, never per raw path', async (t) => {
  const listing = await app.request('GET', '/v1/listings/01a21854-cd4c-7166-bd4c-06393e5f2194');
  t.is(listing.status, 404);
  const { text } = await scrape();
  t.true(sample(text, 'gavel_http_request_duration_seconds_count', { route: '/v1/listings/:id', status: '404' }) >= 1);
  t.false(text.includes('01a21854-cd4c-7166-bd4c-06393e5f2194'));
});

test('open SSE streams are counted', async (t) => {
  const seller = await app.signup();
  const { auctionId } = await createTestAuction(app, seller.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) });
  const controller = new AbortController();
  const stream = await fetch(`${app.baseUrl}/v1/auctions/${auctionId}/events`, { signal: controller.signal });
  t.is(stream.status, 200);
  t.true(sample((await scrape()).text, 'gavel_sse_streams', {}) >= 1);
  controller.abort();
});
