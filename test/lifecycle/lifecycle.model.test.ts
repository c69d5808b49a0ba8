import test from 'ava';
import fc from 'fast-check';
import { startTestApi, type TestApi } from '../support/api.ts';
import { createTestAuction } from '../support/auctions.ts';
import { auctionTerms, command } from './commands.ts';
import { counterexamples, type Counterexample } from './counterexamples.ts';
import { ACTORS, INCREMENT_BANDS, newModel, visible, type AuctionTerms, type Readings } from './model.ts';
import { auctionTimes, runCommand, same, Step } from './step.ts';
import { observe, type World } from './world.ts';

/**
 * Model-based test of an auction listing's whole life. fast-check generates sequences of commands
 * (bids of every kind, raising one's own maximum, buy-now, the seller cancelling and editing, time
 * passing, the close job, trades called off or completed, relisting, second-chance offers and their
 * acceptance, buying a relisted fixed-price listing), runs each against the real service over HTTP
 * and against the pure model in model.ts, and after every step compares the answer (status and
 * problem code) and everything visible: auctions, bid history, listing, trades, offers.
 *
 * MODEL_SEED replays a run (the seed is printed), MODEL_RUNS and MODEL_COMMANDS size it, MODEL_PATH
 * with MODEL_REPLAY jumps straight to a shrunk counterexample fast-check reported. Sequences it
 * found are replayed as fixed tests too (counterexamples.ts). See README.md in this folder.
 */

const SEED = process.env.MODEL_SEED ? Number.parseInt(process.env.MODEL_SEED, 10) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(SEED)) throw new Error(`MODEL_SEED must be an integer, not ${process.env.MODEL_SEED}`);
const RUNS = Number.parseInt(process.env.MODEL_RUNS ?? '25', 10);
const MAX_COMMANDS = Number.parseInt(process.env.MODEL_COMMANDS ?? '40', 10);
const PATH = process.env.MODEL_PATH;
/** MODEL_READING=earlier-bid: the other reading of a runner-up tie (model.ts `Readings`), which the service does not follow. */
const READINGS: Readings = { runnerUpTies: process.env.MODEL_READING === 'earlier-bid' ? 'earlier-bid' : 'first-bidder' };
const env = `MODEL_SEED=${SEED}${READINGS.runnerUpTies === 'earlier-bid' ? ' MODEL_READING=earlier-bid' : ''}`;
const replay = `${env} MODEL_RUNS=${RUNS} MODEL_COMMANDS=${MAX_COMMANDS} npx ava test/lifecycle/`;
/** fast-check's replayPath of the commands (the /*replayPath="..."*\/ of a counterexample), needed with MODEL_PATH. */
const REPLAY_PATH = process.env.MODEL_REPLAY;

// Soft close off keeps the end where the test puts it; a 1 h cutoff with auctions 3 h long lets
// "time passes" land on either side of it with an hour to spare; a generous bid limit because every
// run bids with the same four users, and day-long tokens because they sign up once (a long run
// outlasts the default 15 minutes).
let app: TestApi;
const users = {} as World['users'];
const tally = new Map<string, number>();
test.before(async () => {
  app = await startTestApi('lifecycle_model', {
    SOFT_CLOSE_WINDOW_S: '0',
    AUCTION_MIN_DURATION_S: '1',
    AUCTION_CANCEL_CUTOFF_S: '3600',
    OFFER_TTL_S: '86400',
    BID_RATE_LIMIT_PER_MIN: '1000000',
    JWT_ACCESS_TTL_S: '86400',
  });
  for (const actor of ACTORS) users[actor] = await app.signup({ nickname: actor });
});
test.after.always(async () => {
  await app?.close();
});

test.serial('the model uses the published increment table', async (t) => {
  const published = (await app.request('GET', '/v1/auction-increments')).body.items as { fromPrice: number; increment: number }[];
  t.deepEqual(published.map((b) => [b.fromPrice, b.increment]), INCREMENT_BANDS.map((b) => [...b]));
});

/** A fresh auction listing for one run, made through the use case; everything after it goes over HTTP. */
async function newWorld(terms: AuctionTerms): Promise<World> {
  const { startsAt, endsAt } = auctionTimes(terms.startsLater);
  const { auctionId, listingId } = await createTestAuction(app, users.seller.id, {
    startPrice: terms.startPrice,
    endsAt,
    ...(startsAt && { startsAt }),
    ...(terms.reservePrice !== null && { reservePrice: terms.reservePrice }),
    ...(terms.buyNowPrice !== null && { buyNowPrice: terms.buyNowPrice }),
  });
  return { app, users, listingId, auctionIds: [auctionId], tradeIds: [], offerIds: [], tally, transcript: [] };
}

test.serial('random command sequences over an auction listing’s whole life keep the service equal to the model', async (t) => {
  t.log(`MODEL_SEED=${SEED}: ${RUNS} runs of up to ${MAX_COMMANDS} commands. Replay: ${replay}`);
  // Also on stdout at once: t.log only shows when the test ends, and a run cut off by a timeout should still name its seed.
  console.log(`lifecycle model: MODEL_SEED=${SEED} (${RUNS} runs)`);
  const started = Date.now();
  let runs = 0;
  // Commands first: fast-check shrinks arguments left to right, and a commands value shrinks by
  // which of its commands ran in the failing run, a record that shrinking the terms first would leave stale.
  const property = fc.asyncProperty(
    fc.commands([command.map((c) => new Step(c))], { maxCommands: MAX_COMMANDS, size: 'max', ...(REPLAY_PATH && { replayPath: REPLAY_PATH }) }),
    auctionTerms,
    async (commands, terms) => {
      runs++;
      const world = await newWorld(terms);
      try {
        await fc.asyncModelRun(async () => {
          const model = newModel(terms, READINGS);
          same(await observe(world), visible(model), `the new auction does not look as the model says (${JSON.stringify(terms)})`);
          return { model, real: world };
        }, commands);
      } catch (error) {
        // The failing run's own transcript: what each command resolved to and what the service answered.
        throw new Error(`${JSON.stringify(terms)}\n${world.transcript.map((line, i) => `  ${i + 1}. ${line}`).join('\n')}\n${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    },
  );
  try {
    await fc.assert(property, { seed: SEED, numRuns: RUNS, ...(PATH && { path: PATH }) });
  } catch (error) {
    // fast-check reports the seed, the path and the shrunk commands; its cause is that counterexample's run, as sent, and where it parted from the model.
    const message = error instanceof Error ? `${error.message}\n\nThe shrunk run: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}` : String(error);
    const path = /path: "([^"]+)"/.exec(message)?.[1];
    const replayPath = /replayPath="([^"]+)"/.exec(message)?.[1];
    const shrunk = path && replayPath ? `\nStraight to the shrunk counterexample: ${env} MODEL_PATH=${path} MODEL_REPLAY='${replayPath}' MODEL_COMMANDS=${MAX_COMMANDS} npx ava test/lifecycle/` : '';
    t.fail(`${message}\n\nReplay: ${replay}${shrunk}`);
    return;
  }
  const commandsRun = [...tally.values()].reduce((sum, n) => sum + n, 0);
  t.log(`${runs} runs, ${commandsRun} commands run, in ${((Date.now() - started) / 1000).toFixed(1)} s; answers per command:`);
  t.log([...tally].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`).join(', '));
  t.pass();
});

/** Runs a fixed sequence step by step; says where the service and the model first parted, if they did. */
async function replaySequence(example: Counterexample, readings: Readings): Promise<{ parted: { at: number; message: string } | null; transcript: string[] }> {
  const world = await newWorld(example.terms);
  const model = newModel(example.terms, readings);
  same(await observe(world), visible(model), 'the new auction does not look as the model says');
  for (const [at, c] of example.commands.entries()) {
    try {
      await runCommand(model, world, c);
    } catch (error) {
      return { parted: { at, message: `${world.transcript.at(-1)}: ${error instanceof Error ? error.message : String(error)}` }, transcript: world.transcript };
    }
  }
  return { parted: null, transcript: world.transcript };
}

for (const example of counterexamples) {
  test.serial(`replayed: ${example.title}`, async (t) => {
    t.log(`found with ${example.foundWith}`);
    const { parted, transcript } = await replaySequence(example, example.readings);
    t.log(transcript.join('\n'));
    if (!example.serviceReading) {
      t.is(parted, null, parted?.message);
      return;
    }
    // A known discrepancy: the README's reading parts from the service exactly at the last command, the service's own reading never.
    t.is(parted?.at, example.commands.length - 1, parted ? parted.message : 'the service now follows the README reading: make it the model’s default and drop serviceReading');
    if (parted) t.log(`known discrepancy, as expected: ${parted.message}`);
    const asService = (await replaySequence(example, example.serviceReading)).parted;
    t.is(asService, null, asService?.message);
  });
}
