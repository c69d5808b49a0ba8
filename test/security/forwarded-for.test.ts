import test from 'ava';
import { randomBytes } from 'node:crypto';
import { redisReady } from '../support/redis-keys.ts';
import { startTestApi, uniquePhone, type TestApi } from '../support/api.ts';
import { openAuction } from '../support/listings.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * The client address behind the per-address limits comes from X-Forwarded-For only as far as our
 * own proxies wrote it. A client rotating whatever it writes itself (the left of the header) stays
 * one address. Each request here arrives as through a proxy that appends the address it saw (the
 * worst case: nginx with `$proxy_add_x_forwarded_for`), so the header is `<forged>, <real client>`.
 */
const PER_ADDRESS = 4;
const STREAMS = 2;
let app: TestApi;
let twoHops: TestApi;
const clients: SseClient[] = [];

test.before(async () => {
  [app, twoHops] = await Promise.all([
    startTestApi('xff', {
      TRUST_PROXY_HOPS: '1',
      LOGIN_FAILURES_PER_PHONE: '1000',
      LOGIN_FAILURES_PER_ADDRESS: String(PER_ADDRESS),
      LOGIN_WINDOW_S: '60',
      SSE_MAX_STREAMS_PER_ADDRESS: String(STREAMS),
    }),
    startTestApi('xff2', { TRUST_PROXY_HOPS: '2', LOGIN_FAILURES_PER_PHONE: '1000', LOGIN_FAILURES_PER_ADDRESS: String(PER_ADDRESS), LOGIN_WINDOW_S: '60' }),
  ]);
  await Promise.all([redisReady(app.deps.redis), redisReady(twoHops.deps.redis)]);
});
test.after.always(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled([app?.close(), twoHops?.close()]);
});

const forged = () => `${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
const wrongLogin = (on: TestApi, xff: string) =>
  on.request('POST', '/v1/auth/login', { body: { phone: uniquePhone(), password: 'not the password' }, headers: { 'x-forwarded-for': xff } });

test.serial('failed logins from one client are counted together however it rotates X-Forwarded-For', async (t) => {
  const client = '198.51.100.7';
  for (let i = 0; i < PER_ADDRESS; i++) t.is((await wrongLogin(app, `${forged()}, ${forged()}, ${client}`)).status, 401);
  const blocked = await wrongLogin(app, `${forged()}, ${client}`);
  t.is(blocked.status, 429, 'a fresh forged address does not buy another attempt');
  t.regex(blocked.body.detail, /address/);
  t.is((await wrongLogin(app, client)).status, 429, 'nor does sending no forged part');
  // The address that is read is the one our proxy wrote: another real client is not blocked.
  t.is((await wrongLogin(app, `${forged()}, 198.51.100.8`)).status, 401);
});

test.serial('event streams per address are capped however the client rotates X-Forwarded-For', async (t) => {
  const { auctionId } = await openAuction(app, { bidders: 1 });
  const client = '198.51.100.9';
  const open = async (xff: string) => {
    const stream = await SseClient.open(`${app.baseUrl}/v1/auctions/${auctionId}/events`, { headers: { 'x-forwarded-for': xff } });
    clients.push(stream);
    return stream.status;
  };
  for (let i = 0; i < STREAMS; i++) t.is(await open(`${forged()}, ${client}`), 200);
  for (let i = 0; i < 3; i++) t.is(await open(`${forged()}, ${forged()}, ${client}`), 429, 'forged addresses share the real one\'s cap');
  t.is(await open(`${forged()}, 198.51.100.10`), 200, 'another real client has its own cap');
  const slots = await app.deps.redis.keys(`${app.deps.config.redisKeyPrefix}:sse-slots:*`);
  t.true(slots.length >= 2);
  t.false(slots.some((k) => k.includes('198.51.100.')), 'addresses reach Redis keys only as an HMAC');
});

test.serial('with two proxies of ours, the address the outer one saw is the client', async (t) => {
  // Outer proxy saw the client and appended it; the inner one appended the outer proxy's address.
  const client = '203.0.113.5';
  for (let i = 0; i < PER_ADDRESS; i++) t.is((await wrongLogin(twoHops, `${forged()}, ${client}, 10.0.0.${i + 1}`)).status, 401);
  t.is((await wrongLogin(twoHops, `${forged()}, ${client}, 10.0.0.9`)).status, 429, 'one client behind any outer-proxy node');
  t.is((await wrongLogin(twoHops, `${forged()}, 203.0.113.6, 10.0.0.1`)).status, 401);
});
