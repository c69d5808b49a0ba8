import test from 'ava';
import { expireOffer } from '../../domain/offers/expire-offer.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { createListing } from '../support/listings.ts';

/**
 * Acceptance races on price offers, through HTTP and the real PostgreSQL, many listings at once.
 * Whatever the interleaving, each listing ends with exactly one live trade (or none, where the
 * expiry won), at most one accepted offer and no open offer left beside an accepted one: the
 * listing's row lock, taken first by acceptance and purchase alike, and then the offer's, decide.
 */
const ROUNDS = 12;
const OFFERS_PER_LISTING = 6;
const ITEM = { title: '자전거', description: '잘 나가요', categoryId: 1, price: 100_000 };

let app: TestApi;
test.before(async () => {
  app = await startTestApi('offer_races', { DATABASE_POOL_MAX: '20', TRADE_MAX_OPEN_PER_BUYER: '1000' });
});
test.after.always(async () => {
  await app?.close();
});

const query = <Row = any>(text: string, params: unknown[] = []) => app.db.orm.em.fork().execute<Row[]>(text, params);
const accept = (who: TestUser, offerId: string) => app.request('POST', `/v1/offers/${offerId}/accept`, { token: who.accessToken });
const statuses = (results: HttpResult[]) => results.map((r) => r.status).sort();

async function listingWithOffers(seller: TestUser, buyers: TestUser[]) {
  const listing = await createListing(app, seller, ITEM);
  const offers: string[] = [];
  for (const [i, buyer] of buyers.entries()) {
    const res = await app.request('POST', `/v1/listings/${listing.id}/offers`, { token: buyer.accessToken, body: { amount: 50_000 + i * 1000 } });
    if (res.status !== 201) throw new Error(`offer: ${res.status} ${JSON.stringify(res.body)}`);
    offers.push(res.body.offerId);
  }
  return { listingId: listing.id as string, offers };
}

/** What a listing ended with: its live trades, its offers by status, its own status. */
async function outcome(listingId: string) {
  const trades = await query<{ id: string; price: string; buyer_id: string }>(`select id, price, buyer_id from trades where listing_id = ? and status <> 'cancelled'`, [listingId]);
  const offers = await query<{ id: string; status: string; trade_id: string | null; buyer_id: string; amount: string }>(
    `select id, status, trade_id, buyer_id, amount from offers where listing_id = ?`,
    [listingId],
  );
  const [listing] = await query<{ status: string }>(`select status from listings where id = ?`, [listingId]);
  return { trades, offers, listing: listing!.status, count: (status: string) => offers.filter((o) => o.status === status).length };
}

test('the seller accepts every offer on a listing at once: exactly one trade, at its offer’s amount, and every other offer declined', async (t) => {
  const seller = await app.signup();
  const buyers = await Promise.all(Array.from({ length: OFFERS_PER_LISTING }, () => app.signup()));
  const rounds = await Promise.all(Array.from({ length: ROUNDS }, () => listingWithOffers(seller, buyers)));
  const results = await Promise.all(rounds.map(({ offers }) => Promise.all(offers.map((id) => accept(seller, id)))));
  for (const [i, { listingId }] of rounds.entries()) {
    const won = results[i]!.filter((r) => r.status === 201);
    t.is(won.length, 1, `listing ${i}: ${JSON.stringify(statuses(results[i]!))}`);
    t.true(results[i]!.every((r) => r.status === 201 || r.status === 409), `no 5xx: ${JSON.stringify(statuses(results[i]!))}`);
    const end = await outcome(listingId);
    t.is(end.trades.length, 1);
    t.is(end.listing, 'reserved');
    t.is(end.count('accepted'), 1);
    t.is(end.count('declined'), OFFERS_PER_LISTING - 1);
    const acceptedOffer = end.offers.find((o) => o.status === 'accepted')!;
    t.is(acceptedOffer.trade_id, end.trades[0]!.id);
    t.is(end.trades[0]!.price, acceptedOffer.amount);
    t.is(end.trades[0]!.buyer_id, acceptedOffer.buyer_id);
  }
});

test('accept against purchase at the same moment: exactly one trade per listing, and never an accepted offer without its trade', async (t) => {
  const seller = await app.signup();
  const buyers = await Promise.all(Array.from({ length: 2 }, () => app.signup()));
  const shoppers = await Promise.all(Array.from({ length: 3 }, () => app.signup()));
  const rounds = await Promise.all(Array.from({ length: ROUNDS }, () => listingWithOffers(seller, buyers)));
  const results = await Promise.all(
    rounds.map(({ listingId, offers }) =>
      Promise.all([
        ...offers.map((id) => accept(seller, id)),
        ...shoppers.map((shopper) => app.request('POST', `/v1/listings/${listingId}/purchase`, { token: shopper.accessToken })),
      ]),
    ),
  );
  let offersWon = 0;
  for (const [i, { listingId }] of rounds.entries()) {
    t.is(results[i]!.filter((r) => r.status === 201).length, 1, `listing ${i}: ${JSON.stringify(statuses(results[i]!))}`);
    t.true(results[i]!.every((r) => r.status === 201 || r.status === 409), `no 5xx: ${JSON.stringify(statuses(results[i]!))}`);
    const end = await outcome(listingId);
    t.is(end.trades.length, 1);
    t.is(end.listing, 'reserved');
    const accepted = end.offers.filter((o) => o.status === 'accepted');
    t.true(accepted.length <= 1);
    if (accepted.length) {
      offersWon++;
      t.is(accepted[0]!.trade_id, end.trades[0]!.id);
      t.is(end.count('pending'), 0, 'the other offer was declined');
    } else {
      t.is(end.count('pending'), 2, 'a purchase won: the offers stay open, unacceptable while the listing is reserved');
    }
  }
  t.log(`offers won ${offersWon} of ${ROUNDS} listings`);
});

test('accept against expiry at the due moment: either a trade and an accepted offer, or an expired offer and no trade, never both', async (t) => {
  const seller = await app.signup();
  const buyer = await app.signup();
  const rounds = await Promise.all(Array.from({ length: ROUNDS * 2 }, () => listingWithOffers(seller, [buyer])));
  // Due times spread over the moments the acceptances arrive, so some land before and some after;
  // each expiry runs at about its own due time, as its delayed job would.
  const spreadMs = (i: number) => 60 + i * 25;
  await Promise.all(rounds.map(({ offers }, i) =>
    query(`update offers set expires_at = clock_timestamp() + make_interval(secs => ?) where id = ?`, [spreadMs(i) / 1000, offers[0]!])));
  const results = await Promise.all(
    rounds.map(({ offers }, i) =>
      Promise.all([
        accept(seller, offers[0]!),
        (async () => {
          await new Promise((resolve) => setTimeout(resolve, spreadMs(i)));
          return expireOffer(app.db.orm.em.fork(), app.deps.followUps, offers[0]!);
        })(),
      ]),
    ),
  );
  // A job that ran before the due time finds it not yet due and runs again later, as here.
  await new Promise((resolve) => setTimeout(resolve, spreadMs(rounds.length)));
  const reruns = await Promise.all(rounds.map(({ offers }) => expireOffer(app.db.orm.em.fork(), app.deps.followUps, offers[0]!)));
  const tally = { accepted: 0, expired: 0 };
  for (const [i, { listingId }] of rounds.entries()) {
    const [accepted, expiry] = results[i]!;
    t.true(accepted.status === 201 || accepted.status === 409, `${accepted.status} ${JSON.stringify(accepted.body)}`);
    const end = await outcome(listingId);
    const status = end.offers[0]!.status;
    if (status === 'accepted') {
      tally.accepted++;
      t.is(accepted.status, 201);
      t.is(end.trades.length, 1);
      t.is(end.listing, 'reserved');
      t.not(expiry.result, 'expired');
      t.is(reruns[i]!.result, 'not-pending');
    } else {
      tally.expired++;
      t.is(status, 'expired');
      t.is(end.trades.length, 0);
      t.is(end.listing, 'on_sale');
      t.not(accepted.status, 201);
    }
  }
  t.log(`accepted ${tally.accepted}, expired ${tally.expired} of ${rounds.length}`);
});
