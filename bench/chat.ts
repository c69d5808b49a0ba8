/**
 * Chat fan-out: C conversations (default 1,000), each seller with their own stream open on ONE API
 * process, buyers sending at a steady total rate; send → receipt latency on the seller's stream
 * (the whole path: HTTP, the transaction with both parties' stream events, commit, Redis, SSE).
 * Beside it, in the same run, the floor: bare Redis PUBLISH → SUBSCRIBE over as many channels.
 *
 *   npm run bench:chat    (BENCH_CONVERSATIONS=1000 BENCH_MESSAGES_PER_S=100 BENCH_SECONDS=20)
 */
import http from 'node:http';
import pg from 'pg';
import { createAccessTokens } from '../domain/accounts/access-tokens.ts';
import { loadConfig } from '../infra/config.ts';
import { createRedis } from '../infra/redis.ts';
import { benchDatabase, percentile, readSseData, startApiProcess } from './support.ts';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1000);
const MESSAGES_PER_S = Number(process.env.BENCH_MESSAGES_PER_S ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const PREFIX = `gavel_bench_chat_${process.pid}`;

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { samples: sorted.length, 'p50 ms': round(percentile(sorted, 50)), 'p99 ms': round(percentile(sorted, 99)), 'max ms': round(sorted.at(-1) ?? NaN) };
};
const now = () => performance.timeOrigin + performance.now();

const db = await benchDatabase('chat');
const sql = new pg.Pool({ connectionString: db.url, max: 4 });
// A seller and a buyer per conversation, each with a listing of the seller's.
const { rows: chats } = await sql.query<{ id: string; seller_id: string; buyer_id: string }>(
  `with s as (insert into users (id, phone, password_hash, nickname)
              select gen_random_uuid(), '+8210' || lpad(n::text, 8, '0'), 'not-a-login', 's' || n from generate_series(1, $1) n returning id, nickname),
        b as (insert into users (id, phone, password_hash, nickname)
              select gen_random_uuid(), '+8211' || lpad(n::text, 8, '0'), 'not-a-login', 'b' || n from generate_series(1, $1) n returning id, nickname),
        pairs as (select s.id as seller_id, b.id as buyer_id from s join b on substr(s.nickname, 2) = substr(b.nickname, 2)),
        l as (insert into listings (id, seller_id, category_id, title, description, sale_type, price)
              select gen_random_uuid(), seller_id, 1, '채팅 벤치', 'bench', 'fixed', 1000 from pairs returning id, seller_id)
   insert into conversations (id, listing_id, listing_title, seller_id, buyer_id)
   select gen_random_uuid(), l.id, '채팅 벤치', l.seller_id, p.buyer_id from l join pairs p on p.seller_id = l.seller_id
   returning id, seller_id, buyer_id`,
  [CONVERSATIONS],
);
const tokens = createAccessTokens(loadConfig({ JWT_SECRET, NODE_ENV: 'production', METRICS_TOKEN: 'bench-metrics-token-0123' }).jwt);
const bearer = (userId: string) => `Bearer ${tokens.issue({ userId, role: 'user' })}`;

const api = await startApiProcess({
  NODE_ENV: 'production',
  DATABASE_URL: db.url,
  JWT_SECRET,
  METRICS_TOKEN: 'bench-metrics-token-0123',
  REDIS_KEY_PREFIX: PREFIX,
  CHAT_MESSAGES_PER_MIN: '100000',
  SSE_MAX_STREAMS_PER_ADDRESS: '100000',
});

const latencies: number[] = [];
const commitToReceipt: number[] = [];
const requests: http.ClientRequest[] = [];
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
function openStream(userId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${api.baseUrl}/v1/me/events`, { agent, headers: { authorization: bearer(userId) } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream refused: ${res.statusCode}`));
      readSseData(res, resolve, (data) => {
        const event = JSON.parse(data);
        if (event.type !== 'message') return;
        const received = now();
        latencies.push(received - Number(event.message.text.slice(2)));
        commitToReceipt.push(received - Date.parse(event.message.createdAt));
      });
    });
    req.on('error', reject);
    requests.push(req);
  });
}

try {
  for (let i = 0; i < chats.length; i += 200) await Promise.all(chats.slice(i, i + 200).map((c) => openStream(c.seller_id)));
  const buyerTokens = new Map(chats.map((c) => [c.id, bearer(c.buyer_id)]));
  // Wait for every presence mark so no message takes the offline path.
  await new Promise((r) => setTimeout(r, 500));

  let sent = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const chat = chats[Math.floor(Math.random() * chats.length)]!;
    const p = fetch(`${api.baseUrl}/v1/conversations/${chat.id}/messages`, {
      method: 'POST',
      headers: { authorization: buyerTokens.get(chat.id)!, 'content-type': 'application/json' },
      body: JSON.stringify({ text: `t=${now()}` }),
    }).then(
      (r) => void (r.status === 201 ? sent++ : failed++),
      () => void failed++,
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }, 1000 / MESSAGES_PER_S);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  clearInterval(timer);
  await Promise.all(inFlight);
  await new Promise((r) => setTimeout(r, 1000));

  // The floor: one PUBLISH → SUBSCRIBE hop per message over as many channels, at the same rate.
  const config = loadConfig({ JWT_SECRET });
  const sub = createRedis(config.redisUrl, 'subscriber');
  const pub = createRedis(config.redisUrl, 'queue');
  const baseline: number[] = [];
  sub.on('message', (_c: string, message: string) => baseline.push(now() - Number(message)));
  await sub.subscribe(...chats.map((c) => `${PREFIX}:baseline:${c.seller_id}`));
  for (let i = 0; i < Math.min(2000, SECONDS * MESSAGES_PER_S); i++) {
    const chat = chats[Math.floor(Math.random() * chats.length)]!;
    void pub.publish(`${PREFIX}:baseline:${chat.seller_id}`, String(now()));
    await new Promise((r) => setTimeout(r, 1000 / MESSAGES_PER_S));
  }
  await new Promise((r) => setTimeout(r, 300));
  sub.disconnect();
  pub.disconnect();

  console.log(`\n${chats.length} conversations, each seller's stream open on one API process; ${MESSAGES_PER_S} messages/s for ${SECONDS} s, node ${process.version}\n`);
  console.table({
    'chat: send → receipt on the other stream': stats(latencies),
    'chat: commit → receipt': stats(commitToReceipt),
    'bare Redis PUBLISH → SUBSCRIBE': stats(baseline),
  });
  console.log(`messages sent: ${sent} (failed ${failed}); received live: ${latencies.length}`);
} finally {
  for (const req of requests) req.destroy();
  agent.destroy();
  await api.stop();
  await sql.end();
  await db.drop();
}
