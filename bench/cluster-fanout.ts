/**
 * Live-price fan-out on a 3-master Redis Cluster vs one Redis node, in the same run: two API
 * processes, N SSE clients (default 10,000) spread over A auctions (default 100) and over both
 * processes, bids at a steady total rate across the auctions; commit-to-receipt latency and
 * completeness. Then the bare bus: publishes per second to the auctions' channels, counted per
 * shard (SPUBLISH on the cluster, PUBLISH on the single node), with a subscriber on every channel.
 * Private redis-servers only (the shared one is never used).
 *
 *   npm run bench:cluster     (BENCH_CLIENTS=10000 BENCH_AUCTIONS=100 BENCH_BIDS_PER_S=20 BENCH_SECONDS=20 BENCH_PUBLISH_S=5)
 */
import http from 'node:http';
import pg from 'pg';
import { createAccessTokens } from '../domain/accounts/access-tokens.ts';
import { auctionChannel } from '../infra/event-bus.ts';
import { loadConfig } from '../infra/config.ts';
import { createRedis, pubSub, type Redis, type RedisTarget } from '../infra/redis.ts';
import { startPrivateRedis } from '../test/support/private-redis.ts';
import { startPrivateRedisCluster } from '../test/support/private-redis-cluster.ts';
import { benchDatabase, percentile, readSseData, seedAuctions, startApiProcess } from './support.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10_000);
const AUCTIONS = Number(process.env.BENCH_AUCTIONS ?? 100);
const BIDS_PER_S = Number(process.env.BENCH_BIDS_PER_S ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PUBLISH_S = Number(process.env.BENCH_PUBLISH_S ?? 5);
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const METRICS_TOKEN = 'bench-metrics-token-0123';
const PREFIX = `gavel_bench_cluster_${process.pid}`;

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { samples: sorted.length, 'p50 ms': round(percentile(sorted, 50)), 'p99 ms': round(percentile(sorted, 99)), 'max ms': round(sorted.at(-1) ?? NaN) };
};

interface Run {
  latencies: number[];
  accepted: number;
  events: number;
  complete: number;
  openSeconds: number;
  refused: number;
}

/** Two API processes on `redisEnv`, the clients spread over them and over the auctions, bids for SECONDS. */
async function fanOut(redisEnv: Record<string, string>, label: string): Promise<Run> {
  const db = await benchDatabase(`cluster_${label}`);
  const sql = new pg.Pool({ connectionString: db.url, max: 4 });
  const { rows: users } = await sql.query<{ id: string }>(
    `insert into users (id, phone, password_hash, nickname)
     select gen_random_uuid(), '+8210' || lpad(n::text, 8, '0'), 'not-a-login', 'bench' || n from generate_series(1, 3) n returning id`,
  );
  const [seller, alice, bob] = users.map((u) => u.id);
  const auctionIds = await seedAuctions(sql, seller!, AUCTIONS);
  const tokens = createAccessTokens(loadConfig({ JWT_SECRET, NODE_ENV: 'production', METRICS_TOKEN }).jwt);
  const bidders = [alice!, bob!].map((userId) => `Bearer ${tokens.issue({ userId, role: 'user' })}`);
  const env = {
    NODE_ENV: 'production', DATABASE_URL: db.url, JWT_SECRET, METRICS_TOKEN, REDIS_KEY_PREFIX: PREFIX, BID_RATE_LIMIT_PER_MIN: '1000000',
    SSE_MAX_STREAMS_PER_ADDRESS: '100000', API_MAX_EVENT_LOOP_DELAY_MS: '0', API_MAX_IN_FLIGHT: '0', LOG_LEVEL: 'warn', ...redisEnv,
  };
  const apis = [await startApiProcess(env), await startApiProcess(env)];

  const latencies: number[] = [];
  const received = new Map<string, number>();
  const requests: http.ClientRequest[] = [];
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  let refused = 0;
  const openOnce = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const auctionId = auctionIds[i % AUCTIONS]!;
      const req = http.get(`${apis[i % 2]!.baseUrl}/v1/auctions/${auctionId}/events?lastEventId=0`, { agent }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`stream refused: ${res.statusCode}`));
        }
        readSseData(res, resolve, (data) => {
          const event = JSON.parse(data) as { seq: number; at: string };
          latencies.push(Date.now() - Date.parse(event.at));
          const key = `${auctionId}:${event.seq}`;
          received.set(key, (received.get(key) ?? 0) + 1);
        });
      });
      req.on('error', reject);
      requests.push(req);
    });
  // A 503 while hundreds of streams open at once on a busy machine (the replay waiting for a pooled
  // connection) is counted and tried again, as a client would come back.
  const openClient = async (i: number) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await openOnce(i);
      } catch (error) {
        if (attempt >= 20) throw error;
        refused++;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  try {
    const openStarted = performance.now();
    for (let i = 0; i < CLIENTS; i += 100) await Promise.all(Array.from({ length: Math.min(100, CLIENTS - i) }, (_, k) => openClient(i + k)));
    const openSeconds = (performance.now() - openStarted) / 1000;

    // Round-robin over the auctions; on each, two bidders take turns so every bid is an event.
    const price = new Map(auctionIds.map((id) => [id, 10_000]));
    let n = 0;
    let accepted = 0;
    const timer = setInterval(() => {
      const i = n++;
      const auctionId = auctionIds[i % AUCTIONS]!;
      const amount = price.get(auctionId)! + 1_000;
      price.set(auctionId, amount);
      fetch(`${apis[i % 2]!.baseUrl}/v1/auctions/${auctionId}/bids`, {
        method: 'POST',
        headers: { authorization: bidders[Math.floor(i / AUCTIONS) % 2]!, 'content-type': 'application/json' },
        body: JSON.stringify({ amount }),
      }).then((r) => void (r.status === 201 && accepted++), () => undefined);
    }, 1000 / BIDS_PER_S);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    clearInterval(timer);
    await new Promise((r) => setTimeout(r, 2000));
    const perAuction = CLIENTS / AUCTIONS;
    return { latencies, accepted, events: received.size, complete: [...received.values()].filter((c) => c === perAuction).length, openSeconds, refused };
  } finally {
    for (const req of requests) req.destroy();
    agent.destroy();
    for (const api of apis) await api.stop().catch(() => undefined);
    await sql.end();
    await db.drop();
  }
}

/** The bare bus: as many publishes as PUBLISH_S allows (64 in flight) to the auctions' channels, each subscribed once. */
async function publishRate(target: RedisTarget, owners: (channel: string) => Promise<string>): Promise<{ total: number; perShard: Map<string, number> }> {
  const channels = Array.from({ length: AUCTIONS }, (_, i) => auctionChannel(PREFIX, `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`));
  const sub: Redis = createRedis(target, 'subscriber');
  const pub: Redis = createRedis(target, 'queue');
  let delivered = 0;
  sub.on(pubSub.messageEvent(sub), () => delivered++);
  for (const channel of channels) await pubSub.subscribe(sub, channel);
  const ownerOf = new Map<string, string>();
  for (const channel of channels) ownerOf.set(channel, await owners(channel));
  const perShard = new Map<string, number>();
  const deadline = Date.now() + PUBLISH_S * 1000;
  let i = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (Date.now() < deadline) {
        const channel = channels[i++ % channels.length]!;
        await pubSub.publish(pub, channel, 'x');
        perShard.set(ownerOf.get(channel)!, (perShard.get(ownerOf.get(channel)!) ?? 0) + 1);
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  sub.disconnect();
  pub.disconnect();
  const total = [...perShard.values()].reduce((a, b) => a + b, 0);
  if (delivered < total) console.log(`(bare bus: ${total - delivered} of ${total} publishes not delivered to the subscriber)`);
  return { total, perShard };
}

const single = await startPrivateRedis();
const cluster = await startPrivateRedisCluster(3);
try {
  const started = new Date().toISOString();
  const singleRun = await fanOut({ REDIS_URL: single.url }, 'single');
  const clusterRun = await fanOut({ REDIS_CLUSTER_NODES: cluster.nodes }, 'cluster');
  const singleBus = await publishRate({ redisUrl: single.url }, async () => `127.0.0.1:${single.port}`);
  const clusterBus = await publishRate(loadConfig({ NODE_ENV: 'development', REDIS_CLUSTER_NODES: cluster.nodes }), async (channel) => `127.0.0.1:${await cluster.ownerOf(channel)}`);

  console.log(`\n${started}: ${CLIENTS} SSE clients over ${AUCTIONS} auctions (${CLIENTS / AUCTIONS} each) and two API processes, ` +
    `${BIDS_PER_S} bids/s in all for ${SECONDS} s, node ${process.version}\n`);
  console.table({
    'one Redis node: commit → receipt': stats(singleRun.latencies),
    '3-master cluster (SPUBLISH): commit → receipt': stats(clusterRun.latencies),
  });
  for (const [name, run] of [['one node', singleRun], ['cluster', clusterRun]] as const) {
    console.log(`${name}: streams opened in ${run.openSeconds.toFixed(1)} s (${run.refused} opens refused with a 503 and retried); bids accepted ${run.accepted}; events ${run.events}, seen by all ${CLIENTS / AUCTIONS} of their clients: ${run.complete}`);
  }
  console.log(`\nbare bus, ${PUBLISH_S} s, 64 publishes in flight, ${AUCTIONS} channels each with one subscriber:`);
  console.table(
    Object.fromEntries([
      ...[...singleBus.perShard].map(([node, count]) => [`one node ${node}`, { 'publishes/s': Math.round(count / PUBLISH_S) }]),
      ['one node: total', { 'publishes/s': Math.round(singleBus.total / PUBLISH_S) }],
      ...[...clusterBus.perShard].sort().map(([node, count]) => [`cluster shard ${node}`, { 'publishes/s': Math.round(count / PUBLISH_S) }]),
      ['cluster: total', { 'publishes/s': Math.round(clusterBus.total / PUBLISH_S) }],
    ]),
  );
} finally {
  await cluster.dispose();
  await single.dispose();
}
