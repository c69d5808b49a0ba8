import test, { type ExecutionContext } from 'ava';
import nock from 'nock';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SmsDeliveryError } from '../../domain/notifications/sms-sender.ts';
import { createSnsSmsSender } from '../../infra/sns-sms-sender.ts';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { SnsScript, snsError, type PublishRequest } from '../support/sns.ts';
import { listAuction, placeBid } from '../support/listings.ts';
import { FAKE_AWS_ENV, phoneForms, sql, startInProcessWorkers, waitFor, type InProcessWorkers } from '../support/workers.ts';

/**
 * Settlement SMS end to end: the HTTP API creates and bids, the real workers close the auction and
 * send through the real SNS adapter, and nock stands in for SNS. Assertions are on the Publish
 * requests as SNS would receive them. Send-sms jobs back off 2 s, 4 s, ... (JOB_OPTIONS), so the
 * retry tests wait for real backoff; the tests of this file run concurrently, about 10 s in all.
 */
const SNS = 'https://sns.test.local';
Object.assign(process.env, FAKE_AWS_ENV);

const sns = new SnsScript();
let app: TestApi;
let workers: InProcessWorkers;

test.before(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1'));
  nock(SNS)
    .persist()
    .post('/')
    // nock 15 hands a reply function the fetch Request.
    .reply(async (request: Request) => {
      const reply = sns.handle(await request.text());
      return [reply.status, reply.body, { 'content-type': 'text/xml' }];
    });
  app = await startTestApi('sms', { AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0' });
  workers = await startInProcessWorkers(app, createSnsSmsSender({ region: 'ap-northeast-2', endpoint: SNS }));
});

test.after.always(async () => {
  await workers?.close();
  await app?.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

let nicknames = 0;
async function signup(role: string): Promise<TestUser & { nickname: string }> {
  const nickname = `${role}${process.pid % 1000}n${nicknames++}`;
  return { ...(await app.signup({ nickname })), nickname };
}

const endsSoon = () => new Date(Date.now() + 1_500);

/** The SMS a phone received, once `count` have arrived and no more came in the next `quietMs`. */
async function smsTo(phone: string, count: number, timeoutMs: number, quietMs = 1_000): Promise<PublishRequest[]> {
  await waitFor(`${count} SMS to ${phone}`, async () => sns.to(phone).length >= count, timeoutMs);
  await sleep(quietMs);
  return sns.to(phone);
}

function assertPublish(t: ExecutionContext, request: PublishRequest, phone: string) {
  t.is(request.action, 'Publish');
  t.is(request.phoneNumber, phone);
  t.is(request.attributes['AWS.SNS.SMS.SMSType'], 'Transactional');
}

/** Neither the other party's number (in any form) nor their nickname. */
function assertNoPersonalData(t: ExecutionContext, message: string, ...others: (TestUser & { nickname: string })[]) {
  for (const other of others) {
    for (const form of phoneForms(other.phone)) t.false(message.includes(form), `${form} in ${message}`);
    t.false(message.includes(other.nickname), `${other.nickname} in ${message}`);
  }
}

const notificationsOf = (auctionId: string) =>
  sql<{ id: string; user_id: string; kind: string; status: string; attempts: number; last_error: string | null; message: string | null; provider_message_id: string | null }>(
    app,
    'select id, user_id, kind, status, attempts, last_error, message, provider_message_id from notifications where auction_id = ? order by kind',
    [auctionId],
  );

test('a sold auction: the winner and the seller each get exactly one SMS with the shortened title and the price, nothing about each other', async (t) => {
  const [seller, outbid, winner] = await Promise.all([signup('seller'), signup('outbid'), signup('winner')]);
  // 29 characters; SMS show the first 19 and an ellipsis.
  const title = '애플 아이폰 15 프로 맥스 256GB 내추럴 티타늄 미개봉';
  const shortened = '"애플 아이폰 15 프로 맥스 256…"';
  const { auctionId, endsAt } = await listAuction(app, seller, { title, endsAt: endsSoon() });
  await placeBid(app, outbid, auctionId, 10_000);
  await placeBid(app, winner, auctionId, 12_000);

  // Bound: both settlement SMS within 5 s of the end (close job at the end, one send each).
  const [toWinner, toSeller] = await Promise.all([smsTo(winner.phone, 1, endsAt.getTime() + 5_000 - Date.now()), smsTo(seller.phone, 1, endsAt.getTime() + 5_000 - Date.now())]);
  t.is(toWinner.length, 1, 'exactly one SMS to the winner');
  t.is(toSeller.length, 1, 'exactly one SMS to the seller');
  for (const [request, phone] of [[toWinner[0]!, winner.phone], [toSeller[0]!, seller.phone]] as const) {
    assertPublish(t, request, phone);
    t.true(request.at - endsAt.getTime() < 5_000, `sent ${request.at - endsAt.getTime()} ms after the end`);
    t.true(request.message!.includes(shortened), request.message!);
    t.true(request.message!.includes('12,000원'), request.message!);
    t.false(request.message!.includes(title), 'the full title is too long for an SMS');
    t.false(request.message!.includes('10,000'), 'the losing bid is nobody’s business');
  }
  t.regex(toWinner[0]!.message!, /^\[gavel\] 낙찰되었습니다: /);
  t.regex(toSeller[0]!.message!, /^\[gavel\] 경매 종료: .*12,000원에 낙찰되었습니다/);
  assertNoPersonalData(t, toWinner[0]!.message!, seller, outbid);
  assertNoPersonalData(t, toSeller[0]!.message!, winner, outbid);

  // The outbid bidder heard only that it was outbid, never the settlement.
  const toOutbid = sns.to(outbid.phone);
  t.is(toOutbid.length, 1);
  t.regex(toOutbid[0]!.message!, /^\[gavel\] 더 높은 입찰이 있습니다: .*현재 12,000원/);
  assertNoPersonalData(t, toOutbid[0]!.message!, seller, winner);

  const rows = await notificationsOf(auctionId);
  t.deepEqual(rows.map((r) => [r.kind, r.user_id, r.status, r.attempts]), [
    // Not winning is an inbox notice: written, never sent.
    ['auction_lost', outbid.id, 'pending', 0],
    ['auction_sold', seller.id, 'sent', 1],
    ['auction_won', winner.id, 'sent', 1],
    ['outbid', outbid.id, 'sent', 1],
  ]);
  t.deepEqual(rows.find((r) => r.kind === 'auction_won')!.provider_message_id, toWinner[0]!.messageId);
});

test('a notice about a listing without an auction (a called-off purchase) is claimed and sent too: the other party hears, once', async (t) => {
  const [seller, buyer] = await Promise.all([signup('seller'), signup('buyer')]);
  const listing = await app.request('POST', '/v1/listings', {
    token: seller.accessToken,
    body: { title: '캠핑 의자 두 개', description: 'fixed price', categoryId: 1, price: 30_000 },
  });
  t.is(listing.status, 201);
  const trade = await app.request('POST', `/v1/listings/${listing.body.id}/purchase`, { token: buyer.accessToken });
  t.is(trade.status, 201);
  t.is((await app.request('POST', `/v1/trades/${trade.body.id}/cancel`, { token: buyer.accessToken })).status, 200);

  const [toSeller] = await smsTo(seller.phone, 1, 5_000);
  assertPublish(t, toSeller!, seller.phone);
  t.is(toSeller!.message, '[gavel] 거래가 취소되었습니다: "캠핑 의자 두 개" 30,000원.');
  assertNoPersonalData(t, toSeller!.message!, buyer);
  t.is(sns.to(buyer.phone).length, 0, 'the one who called it off is not told');
  const rows = await sql(app, `select auction_id, listing_id, status, attempts from notifications where user_id = ?`, [seller.id]);
  t.deepEqual(rows, [{ auction_id: null, listing_id: listing.body.id, status: 'sent', attempts: 1 }]);
});

test('unsold auctions tell the seller only, with the reason: no bids, or the reserve not met', async (t) => {
  const [quietSeller, reserveSeller, lowBidder] = await Promise.all([signup('seller'), signup('seller'), signup('bidder')]);
  const quiet = await listAuction(app, quietSeller, { title: '아무도 입찰하지 않은 의자', endsAt: endsSoon() });
  const reserved = await listAuction(app, reserveSeller, { title: '최저가 있는 캠핑 텐트', endsAt: endsSoon(), reservePrice: 50_000 });
  await placeBid(app, lowBidder, reserved.auctionId, 20_000);

  const bound = Math.max(quiet.endsAt.getTime(), reserved.endsAt.getTime()) + 5_000 - Date.now();
  const [toQuiet, toReserve] = await Promise.all([smsTo(quietSeller.phone, 1, bound), smsTo(reserveSeller.phone, 1, bound)]);
  t.is(toQuiet.length, 1);
  t.is(toReserve.length, 1);
  assertPublish(t, toQuiet[0]!, quietSeller.phone);
  assertPublish(t, toReserve[0]!, reserveSeller.phone);
  t.is(toQuiet[0]!.message, '[gavel] 경매 종료: "아무도 입찰하지 않은 의자" 입찰이 없어 유찰되었습니다.');
  t.is(toReserve[0]!.message, '[gavel] 경매 종료: "최저가 있는 캠핑 텐트" 최저 낙찰가에 도달하지 못해 유찰되었습니다.');
  assertNoPersonalData(t, toReserve[0]!.message!, lowBidder);
  t.is(sns.to(lowBidder.phone).length, 0, 'a bidder below the reserve wins nothing and hears nothing');

  const [row] = await sql(app, 'select status, outcome from auctions where id = ?', [reserved.auctionId]);
  t.deepEqual({ ...row }, { status: 'closed', outcome: 'unsold' });
  t.is((await sql(app, 'select 1 from trades where listing_id = ?', [reserved.listingId])).length, 0);
});

test('SNS throttling (400 Throttling) and a 500 are retried with backoff, then the SMS is delivered exactly once', async (t) => {
  const seller = await signup('seller');
  sns.plan(seller.phone, snsError(400, 'Throttling', 'Rate exceeded'), snsError(500, 'InternalError', 'Internal service error'));
  const { auctionId, endsAt } = await listAuction(app, seller, { title: '스로틀링 테스트 상품', endsAt: endsSoon() });

  // Bound: the end, then backoff 2 s + 4 s, plus slack.
  const requests = await smsTo(seller.phone, 3, endsAt.getTime() + 12_000 - Date.now(), 2_500);
  t.deepEqual(requests.map((r) => r.reply.status), [400, 500, 200], 'two refusals, one delivery, nothing after it');
  t.true(requests[1]!.at - requests[0]!.at >= 1_500, 'the retry waited for backoff');
  t.true(requests.every((r) => r.message === requests[0]!.message));
  const [row] = await notificationsOf(auctionId);
  t.like(row, { kind: 'auction_unsold', status: 'sent', attempts: 3, last_error: null, provider_message_id: requests[2]!.messageId });
});

test('a permanent SNS error (InvalidParameter: opted out) is recorded as failed and never retried', async (t) => {
  const seller = await signup('seller');
  sns.plan(seller.phone, snsError(400, 'InvalidParameter', 'Invalid parameter: PhoneNumber Reason: opted out'));
  const { auctionId, endsAt } = await listAuction(app, seller, { title: '수신 거부 테스트', endsAt: endsSoon() });

  // Waits 3.5 s after the first try, well past the first backoff (2 s) a retry would have used.
  const requests = await smsTo(seller.phone, 1, endsAt.getTime() + 5_000 - Date.now(), 3_500);
  t.is(requests.length, 1, 'one Publish call, no retry');
  t.is(requests[0]!.reply.status, 400);
  const [row] = await notificationsOf(auctionId);
  t.like(row, { kind: 'auction_unsold', status: 'failed', attempts: 1, message: null, provider_message_id: null });
  t.regex(row!.last_error ?? '', /InvalidParameter.*opted out/);
  const job = await app.deps.jobs.queues.notifications.getJob(`sms-${row!.id}`);
  t.is(await job?.getState(), 'failed', 'visible as a failed job in Bull Board');
  t.is(job?.attemptsMade, 1);
});

test('an SNS that never answers: the attempt times out as a retryable error instead of holding the job forever', async (t) => {
  // A local server that accepts and never replies (nock is for SNS's address; this is the adapter alone).
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const sender = createSnsSmsSender({ region: 'ap-northeast-2', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requestTimeoutMs: 500 });
  const started = Date.now();
  const error = await t.throwsAsync(sender.send('+821099990000', '[gavel] test'), { instanceOf: SmsDeliveryError });
  t.true(error!.retryable, 'retried later with backoff');
  t.true(Date.now() - started < 3_000, `gave up after ${Date.now() - started} ms (timeout 500 ms)`);
});
