import test from 'ava';
import { startTestApi, type TestApi } from '../support/api.ts';
import { openAuction, placeBid } from '../support/listings.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * Streams opening at once share their event-log reads (api/sse/shared-reads.ts): a reconnect storm
 * costs a handful of queries per auction per process, not a few per client, and every stream
 * still gets every event exactly once, in order, even those published while it was opening.
 */
let app: TestApi;
const clients: SseClient[] = [];
test.before(async () => {
  app = await startTestApi('shared_reads', { SSE_MAX_STREAMS_PER_ADDRESS: '1000' });
});
test.after.always(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await app?.close();
});

const logReads = async () => {
  const text = (await app.request<string>('GET', '/metrics')).body as unknown as string;
  const count = (served: string) => Number(new RegExp(`^gavel_sse_log_reads_total\\{[^}]*served="${served}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { database: count('database'), shared: count('shared') };
};
const open = async (url: string, lastEventId?: string) => {
  const client = await SseClient.open(url, lastEventId === undefined ? {} : { lastEventId });
  clients.push(client);
  if (client.status !== 200) throw new Error(`stream refused: ${client.status}`);
  return client;
};

test.serial('200 streams reconnecting at once with the same Last-Event-ID cost a handful of log reads, and each gets every event once', async (t) => {
  const { auctionId, bidders } = await openAuction(app, { bidders: 2 });
  const url = `${app.baseUrl}/v1/auctions/${auctionId}/events`;
  const watcher = await open(url, '0');
  for (let i = 0; i < 4; i++) await placeBid(app, bidders[i % 2]!, auctionId, 10_000 + i * 1_000);
  await watcher.waitFor((c) => c.seqs.length >= 4, 5_000, 'the watcher to see 4 bids');
  const last = watcher.seqs.at(-1)!;

  const before = await logReads();
  const storm = await Promise.all(Array.from({ length: 200 }, () => open(url, '2')));
  await Promise.all(storm.map((c) => c.waitFor((s) => s.seqs.at(-1) === last, 10_000, `seq ${last}`)));
  const after = await logReads();
  for (const client of storm) t.deepEqual(client.seqs, Array.from({ length: last - 2 }, (_, i) => 3 + i));
  const queries = after.database - before.database;
  t.log(`log reads by query: ${queries}, shared: ${after.shared - before.shared}`);
  // Per stream there are up to four reads (exists, closed seq, newest, the page, the empty page).
  t.true(queries <= 60, `${queries} reads went to PostgreSQL for 200 streams`);
  t.true(after.shared - before.shared >= 400);
  await Promise.all([watcher, ...storm].map((c) => c.close()));
});

test.serial('streams opening while bids are committed and published miss nothing and repeat nothing', async (t) => {
  const { auctionId, bidders } = await openAuction(app, { bidders: 2 });
  const url = `${app.baseUrl}/v1/auctions/${auctionId}/events`;
  const watcher = await open(url, '0');
  const opening: Promise<{ from: number; stream: SseClient }>[] = [];
  let amount = 10_000;
  for (let i = 0; i < 20; i++) {
    const bid = placeBid(app, bidders[i % 2]!, auctionId, amount);
    amount += 1_000;
    // Streams open in the middle of commits and publishes, with every Last-Event-ID so far.
    for (let k = 0; k < 5; k++) {
      const from = Math.max(0, (watcher.seqs.at(-1) ?? 0) - (k % 3));
      opening.push(open(url, String(from)).then((stream) => ({ from, stream })));
    }
    await bid;
  }
  const streams = await Promise.all(opening);
  await watcher.waitFor((c) => c.seqs.length >= 20, 10_000, '20 bids');
  const last = watcher.seqs.at(-1)!;
  for (const { from, stream } of streams) {
    await stream.waitFor((s) => s.seqs.at(-1) === last, 10_000, `seq ${last}`);
    t.deepEqual(stream.seqs, Array.from({ length: last - from }, (_, i) => from + 1 + i), `from ${from}`);
  }
});
