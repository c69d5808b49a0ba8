/**
 * The guards that protect money or messages, each with the tests that must fail without it.
 * `npm run test:guards` removes them one at a time (test/mutants/run-guards.ts); `guards.test.ts`
 * checks on every `npm test` that each guarded text is still there, once, so a refactoring that
 * moves a guard updates this list instead of silently retiring its check.
 *
 * A guard with two layers (a row lock backed by a unique index) is one entry with both edits:
 * removing either layer alone is an equivalent mutant (see test/mutants/README.md).
 */
export interface Edit {
  /** Path from the repository root. */
  file: string;
  /** Exact text, found exactly once in the file. */
  find: string;
  replace: string;
}

export interface Guard {
  name: string;
  edits: Edit[];
  /** Test files to run with the guard removed; at least one test in them must fail. */
  tests: string[];
  /** ava `--match` patterns, to run only the tests that own the guard. */
  match?: string[];
  /** What goes wrong without it. */
  why: string;
}

export const GUARDS: Guard[] = [
  // ---- Messages: SMS exactly once, notices once --------------------------------------------------
  {
    name: 'sms-claim',
    edits: [{ file: 'domain/notifications/send-notification.ts', find: `and n.status = 'pending' and n.sms`, replace: `and n.sms` }],
    tests: ['test/workers/duplicate-jobs.test.ts'],
    match: ['send-sms:*'],
    why: 'A send-sms job queued again (relay, sweep, retry) for a sent, sending or failed row would send the SMS again.',
  },
  {
    name: 'notification-dedupe-conflict',
    edits: [{ file: 'domain/notifications/notification-writer.ts', find: `on conflict (dedupe_key) do nothing`, replace: `` }],
    tests: ['test/workers/duplicate-jobs.test.ts'],
    match: ['match-keyword-alerts:*'],
    why: 'A repeated change (a retried job) would fail on the dedupe key instead of writing nothing twice, and retry forever.',
  },
  {
    name: 'keyword-match-dedupe-key',
    edits: [
      {
        file: 'domain/notifications/notices.ts',
        find: 'dedupeKey: `keyword_match:${input.listingId}:${input.listedAt.getTime()}:${input.userId}`',
        replace: 'dedupeKey: `keyword_match:${input.listingId}:${input.listedAt.getTime()}:${input.userId}:${Math.random()}`',
      },
    ],
    tests: ['test/workers/duplicate-jobs.test.ts'],
    match: ['match-keyword-alerts:*'],
    why: 'A match-keyword-alerts job delivered twice would tell each watcher twice.',
  },
  {
    name: 'outbid-window',
    edits: [{ file: 'domain/notifications/notices.ts', find: '`:${Math.floor(now.getTime() / OUTBID_WINDOW_MS)}`', replace: '`:${now.getTime()}`' }],
    tests: ['test/http/notifications.test.ts'],
    match: ['outbid three times*'],
    why: 'A bidder outbid ten times in a minute would get ten outbid SMS instead of one per 10 minutes.',
  },
  {
    name: 'interrupted-outbid-given-up',
    edits: [{ file: 'domain/notifications/notices.ts', find: `outbid: { sms: true, interrupted: 'give-up' }`, replace: `outbid: { sms: true, interrupted: 'resend' }` }],
    tests: ['test/workers/sweep.test.ts'],
    match: ['a send cut off mid-way*'],
    why: 'An outbid SMS cut off mid-send (which may have left) would be sent again: at most once becomes at least once.',
  },
  {
    name: 'ending-soon-once',
    edits: [
      {
        file: 'domain/notifications/ending-soon.ts',
        find: `and not exists (select 1 from notifications n where n.auction_id = a.id and n.user_id = k.user_id and n.kind = 'ending_soon')`,
        replace: ``,
      },
      { file: 'domain/notifications/notices.ts', find: `aboutAuction('ending_soon', auctionId, userId, { price, minutes })`, replace: `aboutAuction('ending_soon', auctionId, userId, { price, minutes }, \`:\${Math.random()}\`)` },
    ],
    tests: ['test/workers/sweep.test.ts'],
    match: ['"ending soon"*'],
    why: 'Every sweep inside the window would text each liker again.',
  },

  // ---- Close and settlement ----------------------------------------------------------------------
  {
    name: 'close-already-closed',
    edits: [{ file: 'domain/auctions/close-rules.ts', find: `if (state.status === 'closed' || state.outcome !== null) return { result: 'already-closed' };`, replace: `` }],
    tests: ['test/workers/duplicate-jobs.test.ts'],
    match: ['close-auction:*'],
    why: 'A close job delivered again would settle again (a second closed event; the trades index turns it into a failing, retried job).',
  },
  {
    name: 'auction-row-lock',
    edits: [{ file: 'domain/auctions/auction-repository.ts', find: 'from auctions a where a.id = ? for update', replace: 'from auctions a where a.id = ?' }],
    tests: ['test/concurrency/bidding.test.ts'],
    why: 'Concurrent bids would read the same state: lost proxy maxima, duplicate event numbers, 500s.',
  },

  // ---- Bids: idempotency, ownership --------------------------------------------------------------
  {
    name: 'idempotent-replay',
    edits: [{ file: 'domain/auctions/idempotency.ts', find: `  if (!row) return null;\n`, replace: `  if (!row || row) return null;\n` }],
    tests: ['test/http/auctions.test.ts'],
    match: ['the same Idempotency-Key*'],
    why: 'A retried bid (same Idempotency-Key) would be placed again instead of replayed.',
  },
  {
    name: 'idempotency-key-live',
    edits: [{ file: 'domain/auctions/auction-repository.ts', find: 'where idempotency_keys.created_at < now() - ${IDEMPOTENCY_TTL_SQL}', replace: '' }],
    tests: ['test/http/auctions.test.ts'],
    match: ['one Idempotency-Key on two auctions at once*'],
    why: 'One key used on two auctions at once (no common row lock) would apply twice, the later overwriting the live stored response.',
  },
  {
    name: 'own-auction',
    edits: [{ file: 'domain/auctions/open-auction-guard.ts', find: `if (userId === state.sellerId) throw forbidden('own-auction'`, replace: `if (false) throw forbidden('own-auction'` }],
    tests: ['test/domain/auctions/place-bid-rules.test.ts', 'test/domain/auctions/buy-now-rules.test.ts'],
    why: 'A seller could bid up, or buy out, their own auction.',
  },
  {
    name: 'bid-after-end',
    edits: [{ file: 'domain/auctions/open-auction-guard.ts', find: `if (effectiveStatus(state, now) !== 'closed') return;`, replace: `return;` }],
    tests: ['test/domain/auctions/place-bid-rules.test.ts', 'test/domain/auctions/buy-now-rules.test.ts'],
    why: 'A bid or buy-now landing after the end (judged at the locked database time) would be accepted.',
  },

  // ---- Purchases, trades, offers -----------------------------------------------------------------
  {
    name: 'purchase-once',
    edits: [
      { file: 'domain/trades/purchase-listing.ts', find: `const listing = await tx.findOne(Listing, listingId, { lockMode: LockMode.PESSIMISTIC_WRITE });`, replace: `const listing = await tx.findOne(Listing, listingId);` },
      { file: 'migrations/Migration20261126000000_initial_schema.ts', find: "this.addSql(`create unique index trades_one_live_per_listing on trades (listing_id) where status <> 'cancelled'`);", replace: '' },
    ],
    tests: ['test/http/trades.test.ts'],
    match: ['10 buyers clicking at the same moment*'],
    why: 'Ten buyers at once would each get the item.',
  },
  {
    name: 'purchase-on-sale',
    edits: [{ file: 'domain/trades/purchase-listing.ts', find: `if (listing.status !== 'on_sale') throw notOnSale();`, replace: `` }],
    tests: ['test/http/trades.test.ts'],
    match: ['buying a listing that is not on sale*'],
    why: 'A listing sold by hand could be bought again.',
  },
  {
    name: 'open-trades-lock',
    edits: [{ file: 'domain/trades/purchase-listing.ts', find: 'await tx.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`gavel:open-trades:${buyerId}`]);', replace: '' }],
    tests: ['test/http/trade-limits.test.ts'],
    match: ['a burst of purchases by one buyer*'],
    why: 'A burst of purchases would pass TRADE_MAX_OPEN_PER_BUYER.',
  },
  {
    name: 'trade-party',
    edits: [{ file: 'domain/trades/settle-trade.ts', find: `if (trade.buyerId !== userId && trade.sellerId !== userId) throw forbidden(`, replace: `if (false) throw forbidden(` }],
    tests: ['test/http/trades.test.ts'],
    match: ['a user outside the trade*'],
    why: 'Anyone could complete or call off somebody else’s trade.',
  },
  {
    name: 'offer-pending',
    edits: [{ file: 'domain/offers/accept-offer.ts', find: "if (offer.status !== 'pending') throw conflict('offer-not-pending', `The offer is already ${offer.status}.`);", replace: '' }],
    tests: ['test/http/price-offers.test.ts'],
    match: ['the seller accepts:*'],
    why: 'An offer already accepted, declined or withdrawn could be accepted (again).',
  },
  {
    name: 'offer-clock',
    edits: [{ file: 'domain/offers/accept-offer.ts', find: `if (offer.expired) throw conflict('offer-expired'`, replace: `if (false) throw conflict('offer-expired'` }],
    tests: ['test/http/auction-lifecycle.test.ts'],
    match: ['an expired second-chance offer cannot be accepted*'],
    why: 'An offer past its expiry (by the database clock) could still be accepted before the expiry job ran.',
  },
  {
    name: 'offer-turn',
    edits: [{ file: 'domain/offers/accept-offer.ts', find: `      checkTurn(offer, userId);\n`, replace: `` }],
    tests: ['test/http/price-offers.test.ts'],
    match: ['the seller accepts:*'],
    why: 'The buyer, or a stranger, could accept an offer on the seller’s behalf.',
  },
  {
    name: 'second-chance-once',
    edits: [
      { file: 'domain/offers/second-chance.ts', find: `if (facts.offered) throw conflict(`, replace: `if (false) throw conflict(` },
      { file: 'migrations/Migration20261201010000_auction_lifecycle.ts', find: "this.addSql(`create unique index offers_one_second_chance_per_auction on offers (auction_id) where kind = 'second_chance'`);", replace: '' },
    ],
    tests: ['test/http/auction-lifecycle.test.ts'],
    match: ['a winner who never pays*'],
    why: 'A seller could offer the runner-up a second chance again and again.',
  },
  {
    name: 'second-chance-seller',
    edits: [{ file: 'domain/offers/second-chance.ts', find: `if (locked.state.sellerId !== sellerId) throw forbidden(`, replace: `if (false) throw forbidden(` }],
    tests: ['test/http/auction-lifecycle.test.ts'],
    match: ['a winner who never pays*'],
    why: 'Anyone could make a second-chance offer on somebody else’s auction.',
  },
  {
    name: 'expire-offer-pending',
    edits: [{ file: 'domain/offers/expire-offer.ts', find: `o.status = 'pending' and o.expires_at <= clock_timestamp()`, replace: `o.expires_at <= clock_timestamp()` }],
    tests: ['test/workers/duplicate-jobs.test.ts'],
    match: ['expire-offer:*'],
    why: 'An expiry job delivered after the offer was accepted would expire it under its trade.',
  },
  {
    name: 'expire-offer-clock',
    edits: [{ file: 'domain/offers/expire-offer.ts', find: `o.status = 'pending' and o.expires_at <= clock_timestamp()`, replace: `o.status = 'pending'` }],
    tests: ['test/http/price-offers.test.ts'],
    match: ['a counter’s fresh expiry holds*'],
    why: 'An expiry job run early (a host clock ahead, a counter that moved the expiry) would end a live offer.',
  },
  {
    name: 'expire-trade-pending',
    edits: [{ file: 'domain/trades/expire-trade.ts', find: `if (!trade || trade.status !== 'pending') return`, replace: `if (!trade) return` }],
    tests: ['test/workers/duplicate-jobs.test.ts'],
    match: ['expire-trade:*'],
    why: 'An expiry job delivered after the purchase was completed would cancel a sold trade.',
  },
  {
    name: 'expire-trade-clock',
    edits: [{ file: 'domain/trades/expire-trade.ts', find: `if (trade.wait_ms! > 0) return { value: { result: 'not-due', waitMs: trade.wait_ms! } };`, replace: `` }],
    tests: ['test/workers/duplicate-jobs.test.ts'],
    match: ['expire-trade:*'],
    why: 'An expiry job run early (a host clock ahead, a re-queue) would cancel a purchase before its time.',
  },

  // ---- Photos and stored objects -----------------------------------------------------------------
  {
    name: 'photo-processed-once',
    edits: [{ file: 'domain/photos/process-photo.ts', find: "if (photo.status !== 'processing') return { result: 'skipped', reason: `already ${photo.status}` };", replace: '' }],
    tests: ['test/workers/duplicate-jobs.test.ts'],
    match: ['process-photo:*'],
    why: 'A process-photo job delivered again would redo the work and record the photo as failed (its original is gone).',
  },
  {
    name: 'photo-concurrent-delivery',
    edits: [{ file: 'domain/photos/process-photo.ts', find: `if (now?.status === 'ready') return { result: 'skipped', reason: 'processed by another delivery' };`, replace: `` }],
    tests: ['test/photos/process-races.test.ts'],
    match: ['a delivery that read the original just before another delivery finished*'],
    why: 'Two deliveries at once: the loser would remove the files the winner wrote (the same keys), leaving a ready photo without files.',
  },
  {
    name: 'photo-fail-only-processing',
    edits: [{ file: 'domain/photos/process-photo.ts', find: "set status = 'failed', failure = ?, updated_at = now() where id = ? and status = 'processing' returning id", replace: "set status = 'failed', failure = ?, updated_at = now() where id = ? returning id" }],
    tests: ['test/photos/process-races.test.ts'],
    match: ['a delivery that finds the original gone*'],
    why: 'A delivery that missed the original because another delivery had just finished would mark the ready photo failed.',
  },
  {
    name: 'delete-objects-idempotent',
    edits: [{ file: 'infra/local-object-store.ts', find: `rm(this.path(key), { force: true })`, replace: `rm(this.path(key))` }],
    tests: ['test/workers/duplicate-jobs.test.ts'],
    match: ['delete-objects:*'],
    why: 'A delete-objects job delivered again would fail on the objects already gone and retry for days.',
  },

  // ---- Accounts ----------------------------------------------------------------------------------
  {
    name: 'refresh-reuse',
    edits: [{ file: 'domain/accounts/refresh.ts', find: `      await revokeFamily(tx, stored.familyId);\n      return { value: null, followUps:`, replace: `      return { value: null, followUps:` }],
    tests: ['test/http/accounts.test.ts'],
    match: ['reusing a spent refresh token*'],
    why: 'A stolen refresh token replayed after its owner used it would leave the thief’s rotated session alive.',
  },
  {
    name: 'listing-owner',
    edits: [{ file: 'domain/listings/listing-rules.ts', find: `if (listing.sellerId !== userId) throw forbidden('not-listing-owner'`, replace: `if (false) throw forbidden('not-listing-owner'` }],
    tests: ['test/http/listings.test.ts'],
    why: 'Anyone could edit, reprice or delete somebody else’s listing.',
  },
];

/** How often `text` occurs in `source`. */
export const occurrences = (source: string, text: string): number => (text ? source.split(text).length - 1 : 0);
