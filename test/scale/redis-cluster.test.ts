import test from 'ava';
import { auctionChannel } from '../../infra/event-bus.ts';
import { bullPrefix } from '../../infra/job-queues.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { startApiProcess, type ApiProcess } from '../support/api-process.ts';
import { createTestAuction, listAuction } from '../support/listings.ts';
import { startPrivateRedisCluster, type PrivateRedisCluster } from '../support/private-redis-cluster.ts';
import { startSnsRecorder, type SnsRecorder } from '../support/sns.ts';
import { SseClient, SseFollower, eventually } from '../support/sse-client.ts';
import { killWorkerProcesses, spawnWorkerProcess, waitForWorkerCount } from '../support/worker-process.ts';
import { sql, waitFor } from '../support/workers.ts';

/**
 * gavel on a 3-master Redis Cluster of the test's own (redis-server --cluster-enabled yes x3,
 * redis-cli --cluster create): two API instances (this process and `node main/api.ts`) and a worker
 * process, all with REDIS_CLUSTER_NODES. Bids on either instance, live prices across instances
 * over sharded pub/sub with Last-Event-ID replay, a rate limit shared across instances, an auction
 * closed by the worker's BullMQ job with its SMS; then a failed node. Serial: one cluster.
 */
let cluster: PrivateRedisCluster;
let app: TestApi;
let peer: ApiProcess;
let sns: SnsRecorder;
const BID_LIMIT = 6;

test.before(async () => {
  cluster = await startPrivateRedisCluster(3);
  const env = { REDIS_CLUSTER_NODES: cluster.nodes, AUCTION_MIN_DURATION_S: '1', SOFT_CLOSE_WINDOW_S: '0', BID_RATE_LIMIT_PER_MIN: String(BID_LIMIT), SWEEP_INTERVAL_S: '1' };
  app = await startTestApi('cluster', env);
  sns = await startSnsRecorder();
  peer = await startApiProcess({ NODE_ENV: 'test', DATABASE_URL: app.db.url, REDIS_KEY_PREFIX: app.deps.config.redisKeyPrefix, ...env });
  spawnWorkerProcess(app, { ...env, SNS_ENDPOINT: sns.url, JOB_LOCK_MS: '2000' });
  await waitForWorkerCount(app.deps.jobs, 1, 20_000);
});
test.after.always(async () => {
  await killWorkerProcesses();
  peer?.child.kill('SIGKILL');
  await app?.close();
  await sns?.close();
  await cluster?.dispose();
});

const peerUrl = () => `http://127.0.0.1:${peer.port}`;
async function onPeer(method: string, path: string, token: string, body?: unknown): Promise<HttpResult> {
  const res = await fetch(peerUrl() + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
const bidOn = (where: 'app' | 'peer', user: TestUser, auctionId: string, amount: number) =>
  where === 'app' ? app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: user.accessToken, body: { amount } }) : onPeer('POST', `/v1/auctions/${auctionId}/bids`, user.accessToken, { amount });

const ownerOf = (name: string) => cluster.ownerOf(name);

// First, while this auction's channel is the only one the peer has subscribed to, so the slot's new
// owner has no sharded subscriber started yet: ioredis (with the factory's options) must start one
// and subscribe the channel there again after Redis dropped it from the old owner.
test.serial('slots moving mid-run (the queues\' and a live auction\'s channel): bids, the stream and the close carry on, each event once and in order', async (t) => {
  const [seller, a, b] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const endsAt = new Date(Date.now() + 12_000);
  const { auctionId } = await listAuction(app, seller!, { endsAt, startPrice: 10_000 });
  const follower = new SseFollower(`${peerUrl()}/v1/auctions/${auctionId}/events`, undefined);
  await follower.waitFor((f) => Boolean(f.current), 10_000, 'the stream open');
  let minimum = 10_000;
  let turn = 0;
  const bid = async () => {
    const res = await bidOn(turn % 2 ? 'peer' : 'app', turn % 2 ? b! : a!, auctionId, minimum);
    t.is(res.status, 201, JSON.stringify(res.body));
    turn++;
    minimum = res.body.auction.minimumBid;
  };
  await bid();
  await follower.waitFor((f) => f.seqs.includes(1), 10_000, 'event 1');

  const channel = auctionChannel(app.deps.config.redisKeyPrefix, auctionId);
  const queuesKey = `${bullPrefix(app.deps.config.redisKeyPrefix, true)}:closing:x`;
  const elsewhere = async (name: string) => {
    const owner = await ownerOf(name);
    return cluster.ports.find((port) => port !== owner)!;
  };
  // The close job (delayed, in the queues' slot) moves with its keys; the channel's subscribers are dropped by Redis.
  const queuesTo = await elsewhere(queuesKey);
  await cluster.migrateSlotOf(queuesKey, queuesTo);
  await bid();
  const channelTo = await elsewhere(channel);
  await cluster.migrateSlotOf(channel, channelTo);
  t.is(await ownerOf(queuesKey), queuesTo);
  t.is(await ownerOf(channel), channelTo);
  for (let i = 0; i < 3; i++) await bid();
  await follower.waitFor((f) => f.seqs.includes(5), 15_000, 'events 1-5 on the stream after the moves');
  t.true((await cluster.cli(channelTo, 'PUBSUB', 'SHARDCHANNELS')).includes(channel), 'subscribed again on the new owner');

  await waitFor('the auction closed', async () => (await sql(app, "select 1 from auctions where id = ? and status = 'closed'", [auctionId])).length > 0, endsAt.getTime() - Date.now() + 20_000);
  await follower.waitFor((f) => f.payloads.some((p) => p.type === 'closed'), 15_000, 'the closed event');
  t.deepEqual(follower.seqs, Array.from({ length: follower.seqs.length }, (_, i) => i + 1), 'every event once, in order');
  await waitFor('the winner and the seller texted', async () => sns.script.requests.filter((r) => r.phoneNumber === a!.phone || r.phoneNumber === seller!.phone).length >= 2, 20_000);
  await follower.stop();
});

test.serial('bids on two instances, live prices across them with Last-Event-ID replay, a shared rate limit, and the close with its SMS', async (t) => {
  const [seller, a, b, c] = await Promise.all([app.signup(), app.signup(), app.signup(), app.signup()]);
  const endsAt = new Date(Date.now() + 15_000);
  const { auctionId } = await listAuction(app, seller!, { endsAt, startPrice: 10_000 });

  // A stream on the peer instance sees every bid, wherever it was placed.
  const onPeerStream = await SseClient.open(`${peerUrl()}/v1/auctions/${auctionId}/events`);
  t.is(onPeerStream.status, 200);
  let minimum = 10_000;
  for (let i = 0; i < 4; i++) {
    const res = await bidOn(i % 2 ? 'peer' : 'app', i % 2 ? b! : a!, auctionId, minimum);
    t.is(res.status, 201, JSON.stringify(res.body));
    minimum = res.body.auction.minimumBid;
  }
  await onPeerStream.waitFor((s) => s.seqs.length >= 4, 10_000, 'four live events on the peer');
  t.deepEqual(onPeerStream.seqs.slice(0, 4), [1, 2, 3, 4]);

  // Reconnecting to the other instance from event 2 replays 3 and 4, then carries on live.
  const resumed = await SseClient.open(`${app.baseUrl}/v1/auctions/${auctionId}/events`, { lastEventId: '2' });
  await resumed.waitFor((s) => s.seqs.length >= 2, 10_000, 'the replay');
  const fifth = await bidOn('peer', a!, auctionId, minimum);
  t.is(fifth.status, 201);
  await resumed.waitFor((s) => s.seqs.includes(5), 10_000, 'event 5 live on the app instance');
  t.deepEqual(resumed.seqs, [3, 4, 5]);

  // Live events travel on sharded pub/sub: the channel is a shard channel on the master owning its
  // slot, and no node carries a classic channel.
  const channel = auctionChannel(app.deps.config.redisKeyPrefix, auctionId);
  const owner = await ownerOf(channel);
  t.true((await cluster.cli(owner, 'PUBSUB', 'SHARDCHANNELS')).includes(channel), 'the auction channel is a shard channel of its slot owner');
  for (const port of cluster.ports) t.is((await cluster.cli(port, 'PUBSUB', 'CHANNELS')).trim(), '', `no classic channel on ${port}`);

  // BullMQ's keys share the hash tag, so they all live on one master; other keys spread.
  const keysByNode = await Promise.all(cluster.ports.map(async (port) => (await cluster.cli(port, '--scan', '--pattern', '*')).split('\n').filter(Boolean)));
  const bull = bullPrefix(app.deps.config.redisKeyPrefix, true);
  const nodesWithBull = keysByNode.filter((keys) => keys.some((k) => k.startsWith(bull)));
  t.is(nodesWithBull.length, 1, 'every BullMQ key on the master of the {prefix} slot');

  // The bid limit is one count across both instances (rate-limiter-flexible's script, one key):
  // one opening bid on each of eight auctions, alternating instances.
  const others = await Promise.all(Array.from({ length: BID_LIMIT + 2 }, () => createTestAuction(app, seller!.id, { startPrice: 10_000, endsAt: new Date(Date.now() + 3_600_000) })));
  const statuses: number[] = [];
  for (const [i, other] of others.entries()) statuses.push((await bidOn(i % 2 ? 'peer' : 'app', c!, other.auctionId, 10_000)).status);
  t.deepEqual(statuses, [...Array(BID_LIMIT).fill(201), 429, 429]);

  // The worker closes the auction at its end (its BullMQ job on the cluster) and sends the SMS.
  await onPeerStream.waitFor((s) => s.payloads.some((p) => p.type === 'closed'), 30_000, 'the closed event on the peer');
  const [closed] = await sql(app, 'select outcome, leader_id from auctions where id = ?', [auctionId]);
  t.is(closed.outcome, 'sold');
  t.is(closed.leader_id, a!.id);
  await waitFor('the winner and the seller texted', async () => sns.script.requests.filter((r) => r.phoneNumber === a!.phone || r.phoneNumber === seller!.phone).length >= 2, 20_000);
  await Promise.all([onPeerStream.close(), resumed.close()]);
});

test.serial('a failed master mid-run: bids go on, streams replay, and once it is back (empty) the lost close job is declared again and the auction closes once, with its SMS', async (t) => {
  const [seller, a, b] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const endsAt = new Date(Date.now() + 12_000);
  const { auctionId } = await listAuction(app, seller!, { endsAt, startPrice: 10_000 });
  const follower = new SseFollower(`${peerUrl()}/v1/auctions/${auctionId}/events`, undefined);
  await follower.waitFor((f) => Boolean(f.current), 10_000, 'the stream open');
  let minimum = 10_000;
  const bid = async (where: 'app' | 'peer', user: TestUser) => {
    const res = await bidOn(where, user, auctionId, minimum);
    if (res.status === 201) minimum = res.body.auction.minimumBid;
    return res.status;
  };
  t.is(await bid('app', a!), 201);

  // The master holding the queues' slot dies: its jobs (the close job among them) are gone with it.
  const queuesNode = await ownerOf(`${bullPrefix(app.deps.config.redisKeyPrefix, true)}:closing:x`);
  await cluster.stopNode(queuesNode);
  // Bids are decided by PostgreSQL: they go on (limits fail open while the cluster is down).
  await eventually(() => bid('peer', b!), (status) => status === 201, 15_000, 'a bid while the node is down');
  t.is(await bid('app', a!), 201);

  await cluster.startNode(queuesNode);
  await cluster.waitHealthy();
  // Every event reaches the stream (published late by the relay, or replayed on reconnect), in order, once.
  await follower.waitFor((f) => f.seqs.includes(3), 20_000, 'events 1-3 on the stream');
  // The auction closes once, after its end, with its SMS: the schedule keeper saw the epoch gone.
  await waitFor('the auction closed', async () => (await sql(app, "select 1 from auctions where id = ? and status = 'closed'", [auctionId])).length > 0, endsAt.getTime() - Date.now() + 30_000);
  await follower.waitFor((f) => f.payloads.some((p) => p.type === 'closed'), 20_000, 'the closed event');
  t.deepEqual(follower.seqs, [...new Set(follower.seqs)].sort((x, y) => x - y), 'no duplicate, no disorder');
  t.deepEqual(follower.seqs, Array.from({ length: follower.seqs.length }, (_, i) => i + 1), 'no gap');
  const [trades] = await sql(app, 'select count(*)::int as n from trades t join auctions a on a.listing_id = t.listing_id where a.id = ?', [auctionId]);
  t.is(trades.n, 1);
  await waitFor('the winner and the seller texted', async () => sns.script.requests.filter((r) => r.phoneNumber === a!.phone || r.phoneNumber === seller!.phone).length >= 2, 20_000);
  await follower.stop();
});
