import test from 'ava';
import { randomUUID } from 'node:crypto';
import { apiRoutes } from '../../api/app.ts';
import { closeAuction } from '../../domain/auctions/close-auction.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { createAuction, createListing, HOUR_MS, openChat, pendingTrade, phoneForms, routeKey, sql, worldOf } from './fixtures.ts';
import { placeBid } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';
import { captureVerificationSms } from '../support/sms-capture.ts';

/**
 * OWASP API3 (object property level): a client cannot set a field the server owns, and a
 * response never carries a property its reader may not see. Also: who acts is taken from the
 * access token only, never from a body or a query naming someone else.
 */
let app: TestApi;
test.before(async () => {
  app = await startTestApi('authz_props');
  sms = captureVerificationSms(app);
  someone = await app.signup();
});
test.after.always(async () => {
  await app?.close();
});

const LONG_AGO = '2020-01-01T00:00:00.000Z';

interface BodyVariant {
  /** Fields the server owns, each sent alone next to an otherwise valid body; dotted paths go inside. */
  serverOwned: Record<string, unknown>;
  arrange(): Promise<{
    valid: Record<string, unknown>;
    send(body: unknown): Promise<HttpResult>;
    /** What a successful request would write. */
    state(): Promise<unknown>;
    okStatus: number;
  }>;
}

function withField(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let target: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[keys.at(-1)!] = value;
  return copy;
}

const refreshTokensOf = (user: TestUser) =>
  sql(app, 'select id, family_id, used_at, revoked_at from refresh_tokens where user_id = ? order by id', [user.id]);

/** Fields of a listing the server sets, whatever the sale type. */
const listingOwned = (other: string) => ({
  id: randomUUID(),
  sellerId: other,
  seller: { id: other, nickname: '사칭' },
  userId: other,
  buyerId: other,
  saleType: 'auction',
  auctionId: randomUUID(),
  likeCount: 999,
  likedByMe: true,
  // Photos are set through photoIds (uploads of the caller's own); their status and URLs are the worker's.
  photos: [{ id: randomUUID(), status: 'ready', url: 'https://attacker.test/a.jpg', thumbnailUrl: 'https://attacker.test/t.jpg' }],
  createdAt: LONG_AGO,
  updatedAt: LONG_AGO,
  role: 'admin',
});

const auctionOwned = (other: string) => ({
  'auction.id': randomUUID(),
  'auction.sellerId': other,
  'auction.listingId': randomUUID(),
  'auction.status': 'closed',
  'auction.outcome': 'sold',
  'auction.currentPrice': 999_999,
  'auction.minimumBid': 1,
  'auction.leaderId': other,
  'auction.leaderMaxAmount': 999_999,
  'auction.bidCount': 7,
  'auction.reserveMet': true,
  'auction.buyNowAvailable': false,
  'auction.originalEndsAt': LONG_AGO,
  'auction.closedAt': LONG_AGO,
  'auction.eventSeq': 100,
  'auction.createdAt': LONG_AGO,
});

// Values name a real other user where the field is a user id, so a field that slipped through
// would visibly hand the row to someone else. The control call at the end names nobody.
let someone: TestUser;
let sms: ReturnType<typeof captureVerificationSms>;

const BODY_ROUTES: Record<string, Record<string, () => BodyVariant>> = {
  'POST /v1/auth/signup': {
    'new account': () => ({
      serverOwned: { id: randomUUID(), userId: randomUUID(), role: 'admin', passwordHash: '$argon2id$v=19$forged', createdAt: LONG_AGO, updatedAt: LONG_AGO },
      async arrange() {
        const phone = `+8218${String(Date.now()).slice(-8)}`;
        return {
          valid: { phone, password: 'correct horse battery', nickname: '새회원' },
          send: (body) => app.request('POST', '/v1/auth/signup', { body }),
          state: () => sql(app, 'select id, role, password_hash from users where phone = ?', [phone]),
          okStatus: 201,
        };
      },
    }),
  },
  'POST /v1/auth/phone-verifications': {
    'new phone': () => ({
      serverOwned: { id: randomUUID(), code: '123456', attempts: 0, expiresAt: '2099-01-01T00:00:00.000Z', confirmedAt: LONG_AGO, verificationToken: 'chosen-by-client' },
      async arrange() {
        const phone = `+8216${String(Date.now()).slice(-8)}`;
        return {
          valid: { phone },
          send: (body) => app.request('POST', '/v1/auth/phone-verifications', { body }),
          state: () => sql(app, 'select id from phone_verifications where phone = ?', [phone]),
          okStatus: 201,
        };
      },
    }),
  },
  'POST /v1/auth/phone-verifications/:id/confirm': {
    'the code sent': () => ({
      serverOwned: { id: randomUUID(), phone: someone.phone, attempts: 0, verificationToken: 'chosen-by-client', confirmedAt: LONG_AGO },
      async arrange() {
        const phone = `+8211${String(Date.now()).slice(-8)}`;
        const started = await app.request('POST', '/v1/auth/phone-verifications', { body: { phone } });
        if (started.status !== 201) throw new Error(`start: ${started.status}`);
        return {
          valid: { code: sms.codeFor(phone) },
          send: (body) => app.request('POST', `/v1/auth/phone-verifications/${started.body.id}/confirm`, { body }),
          state: () => sql(app, 'select attempts, confirmed_at from phone_verifications where id = ?', [started.body.id]),
          okStatus: 200,
        };
      },
    }),
  },
  'POST /v1/auth/login': {
    'own credentials': () => ({
      serverOwned: { userId: someone.id, id: someone.id, role: 'admin', familyId: randomUUID(), expiresIn: 999_999_999 },
      async arrange() {
        const user = await app.signup();
        return {
          valid: { phone: user.phone, password: user.password },
          send: (body) => app.request('POST', '/v1/auth/login', { body }),
          state: () => refreshTokensOf(user),
          okStatus: 200,
        };
      },
    }),
  },
  'POST /v1/auth/refresh': {
    'own refresh token': () => ({
      serverOwned: { userId: someone.id, familyId: randomUUID(), role: 'admin', expiresAt: '2099-01-01T00:00:00.000Z' },
      async arrange() {
        const user = await app.signup();
        return {
          valid: { refreshToken: user.refreshToken },
          send: (body) => app.request('POST', '/v1/auth/refresh', { body }),
          state: () => refreshTokensOf(user),
          okStatus: 200,
        };
      },
    }),
  },
  'POST /v1/auth/logout': {
    'own refresh token': () => ({
      serverOwned: { userId: someone.id, familyId: randomUUID() },
      async arrange() {
        const user = await app.signup();
        return {
          valid: { refreshToken: user.refreshToken },
          send: (body) => app.request('POST', '/v1/auth/logout', { body }),
          state: () => refreshTokensOf(user),
          okStatus: 204,
        };
      },
    }),
  },
  'POST /v1/listings': {
    'fixed-price listing': () => ({
      serverOwned: { ...listingOwned(someone.id), status: 'sold', currentPrice: 1 },
      async arrange() {
        const seller = await app.signup();
        const title = `고정가 ${randomUUID()}`;
        return {
          valid: { title, description: '새것', categoryId: 1, price: 10_000 },
          send: (body) => app.request('POST', '/v1/listings', { token: seller.accessToken, body }),
          state: () => sql(app, 'select * from listings where title = ?', [title]),
          okStatus: 201,
        };
      },
    }),
    'auction listing': () => ({
      // An auction listing's price is its current price, which the bids set.
      serverOwned: { ...listingOwned(someone.id), status: 'sold', saleType: 'fixed', price: 1, ...auctionOwned(someone.id) },
      async arrange() {
        const seller = await app.signup();
        const title = `경매 ${randomUUID()}`;
        return {
          valid: { title, description: '새것', categoryId: 1, auction: { startPrice: 10_000, endsAt: new Date(Date.now() + HOUR_MS).toISOString() } },
          send: (body) => app.request('POST', '/v1/listings', { token: seller.accessToken, body }),
          state: async () => ({
            listings: await sql(app, 'select * from listings where title = ?', [title]),
            auctions: await sql(app, 'select a.* from auctions a join listings l on l.id = a.listing_id where l.title = ?', [title]),
          }),
          okStatus: 201,
        };
      },
    }),
  },
  'PATCH /v1/listings/:id': {
    // status may be set by the seller on a fixed-price listing (see the 409 test below for where not).
    'fixed-price listing': () => ({
      serverOwned: listingOwned(someone.id),
      async arrange() {
        const seller = await app.signup();
        const listing = await createListing(app, seller);
        return {
          valid: { title: '제목 바꿈' },
          send: (body) => app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body }),
          state: () => worldOf(app, listing.id),
          okStatus: 200,
        };
      },
    }),
    'auction listing': () => ({
      serverOwned: {
        ...listingOwned(someone.id),
        saleType: 'fixed',
        auction: { endsAt: new Date(Date.now() + 100 * HOUR_MS).toISOString() },
        currentPrice: 1,
        leaderId: someone.id,
        bidCount: 0,
        startPrice: 1,
        endsAt: new Date(Date.now() + 100 * HOUR_MS).toISOString(),
        buyNowPrice: 1,
        reservePrice: 1,
      },
      async arrange() {
        const seller = await app.signup();
        const { listingId } = await createAuction(app, seller);
        return {
          valid: { title: '제목 바꿈' },
          send: (body) => app.request('PATCH', `/v1/listings/${listingId}`, { token: seller.accessToken, body }),
          state: () => worldOf(app, listingId),
          okStatus: 200,
        };
      },
    }),
  },
  'POST /v1/auctions/:id/cancel': {
    'open auction': () => ({
      serverOwned: { status: 'closed', outcome: 'sold', sellerId: someone.id, auctionId: randomUUID(), endsAt: LONG_AGO, closedAt: LONG_AGO, cancelledBy: someone.id },
      async arrange() {
        const seller = await app.signup();
        const { auctionId, listingId } = await createAuction(app, seller);
        return {
          valid: { reason: '사정이 생겼어요' },
          send: (body) => app.request('POST', `/v1/auctions/${auctionId}/cancel`, { token: seller.accessToken, body }),
          state: () => worldOf(app, listingId),
          okStatus: 200,
        };
      },
    }),
  },
  'POST /v1/listings/:id/relist': {
    'ended auction listing': () => ({
      serverOwned: { ...listingOwned(someone.id), status: 'reserved', outcome: 'sold' },
      async arrange() {
        const seller = await app.signup();
        const { auctionId, listingId } = await createAuction(app, seller);
        await sql(app, `update auctions set ends_at = clock_timestamp() - interval '1 second' where id = ?`, [auctionId]);
        await closeAuction(app.db.orm.em.fork(), app.deps.followUps, auctionId);
        return {
          valid: { price: 20_000 },
          send: (body) => app.request('POST', `/v1/listings/${listingId}/relist`, { token: seller.accessToken, body }),
          state: () => worldOf(app, listingId),
          okStatus: 201,
        };
      },
    }),
  },
  'POST /v1/trades/:id/cancel': {
    'pending purchase': () => ({
      serverOwned: { status: 'completed', buyerId: someone.id, sellerId: someone.id, price: 1, kind: 'auction', cancelledBy: someone.id, cancelledAt: LONG_AGO, listingId: randomUUID() },
      async arrange() {
        const [seller, buyer] = await Promise.all([app.signup(), app.signup()]);
        const { listing, trade } = await pendingTrade(app, seller, buyer);
        return {
          valid: { reason: '마음이 바뀌었어요' },
          send: (body) => app.request('POST', `/v1/trades/${trade.id}/cancel`, { token: buyer.accessToken, body }),
          state: () => worldOf(app, listing.id),
          okStatus: 200,
        };
      },
    }),
  },
  'POST /v1/listings/:id/offers': {
    'fixed-price listing on sale': () => ({
      serverOwned: { offerId: randomUUID(), kind: 'second_chance', status: 'accepted', buyerId: someone.id, sellerId: someone.id, listingId: randomUUID(), auctionId: randomUUID(), counterAmount: 1, expiresAt: '2099-01-01T00:00:00.000Z', tradeId: randomUUID(), awaiting: 'buyer' },
      async arrange() {
        const [seller, buyer] = await Promise.all([app.signup(), app.signup()]);
        const listing = await createListing(app, seller);
        return {
          valid: { amount: 20_000 },
          send: (body) => app.request('POST', `/v1/listings/${listing.id}/offers`, { token: buyer.accessToken, body }),
          state: () => sql(app, 'select * from offers where listing_id = ?', [listing.id]),
          okStatus: 201,
        };
      },
    }),
  },
  'POST /v1/offers/:id/counter': {
    'an open price offer': () => ({
      serverOwned: { offerId: randomUUID(), kind: 'second_chance', status: 'accepted', buyerId: someone.id, sellerId: someone.id, listingId: randomUUID(), auctionId: randomUUID(), counterAmount: 1, expiresAt: '2099-01-01T00:00:00.000Z', tradeId: randomUUID(), awaiting: 'buyer' },
      async arrange() {
        const [seller, buyer] = await Promise.all([app.signup(), app.signup()]);
        const listing = await createListing(app, seller);
        const offer = await app.request('POST', `/v1/listings/${listing.id}/offers`, { token: buyer.accessToken, body: { amount: 20_000 } });
        return {
          valid: { amount: 25_000 },
          send: (body) => app.request('POST', `/v1/offers/${offer.body.offerId}/counter`, { token: seller.accessToken, body }),
          state: () => sql(app, 'select * from offers where listing_id = ?', [listing.id]),
          okStatus: 200,
        };
      },
    }),
  },
  'POST /v1/uploads': {
    'photo upload': () => ({
      // The server picks the id, the owner, the storage key and the URL; the client states only type and size.
      serverOwned: {
        id: randomUUID(),
        userId: someone.id,
        user_id: someone.id,
        status: 'uploaded',
        objectKey: `uploads/${someone.id}/${randomUUID()}`,
        key: 'photos/x/y/display.jpg',
        url: 'https://attacker.test/upload',
        method: 'POST',
        headers: { 'Content-Type': 'text/html' },
        fields: { key: 'anything' },
        expiresAt: '2099-01-01T00:00:00.000Z',
        receivedSize: 1000,
        maxBytes: 1_000_000_000,
        createdAt: LONG_AGO,
      },
      async arrange() {
        const user = await app.signup();
        return {
          valid: { contentType: 'image/jpeg', size: 1000 },
          send: (body) => app.request('POST', '/v1/uploads', { token: user.accessToken, body }),
          state: () => sql(app, 'select * from uploads where user_id = ? order by id', [user.id]),
          okStatus: 201,
        };
      },
    }),
  },
  'POST /v1/auctions/:id/bids': {
    'open auction': () => ({
      serverOwned: {
        id: randomUUID(),
        bidderId: someone.id,
        userId: someone.id,
        auctionId: randomUUID(),
        listingId: randomUUID(),
        sellerId: someone.id,
        leaderId: someone.id,
        currentPrice: 1,
        bidCount: 0,
        kind: 'proxy',
        automatic: true,
        status: 'closed',
        seq: 1,
        createdAt: LONG_AGO,
      },
      async arrange() {
        const [seller, bidder] = await Promise.all([app.signup(), app.signup()]);
        const { auctionId, listingId } = await createAuction(app, seller);
        return {
          valid: { amount: 10_000 },
          send: (body) => app.request('POST', `/v1/auctions/${auctionId}/bids`, { token: bidder.accessToken, body }),
          state: async () => ({ world: await worldOf(app, listingId), keys: await sql(app, 'select * from idempotency_keys where user_id = ?', [bidder.id]) }),
          okStatus: 201,
        };
      },
    }),
  },
  'POST /v1/me/notifications/read': {
    'own unread items': () => ({
      serverOwned: { userId: someone.id, readAt: LONG_AGO, kind: 'auction_won', id: randomUUID() },
      async arrange() {
        const user = await app.signup();
        await sql(app, `insert into notifications (id, user_id, kind, dedupe_key, sms) values (?, ?, 'auction_lost', ?, false)`, [randomUUID(), user.id, `test:${randomUUID()}`]);
        return {
          valid: { all: true },
          send: (body) => app.request('POST', '/v1/me/notifications/read', { token: user.accessToken, body }),
          state: () => sql(app, 'select id, read_at, kind from notifications where user_id = ?', [user.id]),
          okStatus: 200,
        };
      },
    }),
  },
  'POST /v1/conversations/:id/messages': {
    'own conversation': () => ({
      serverOwned: { id: randomUUID(), senderId: someone.id, conversationId: randomUUID(), createdAt: LONG_AGO },
      async arrange() {
        const [seller, buyer] = await Promise.all([app.signup(), app.signup()]);
        const { conversationId } = await openChat(app, seller, buyer);
        return {
          valid: { text: '안녕하세요' },
          send: (body) => app.request('POST', `/v1/conversations/${conversationId}/messages`, { token: buyer.accessToken, body }),
          state: () => sql(app, 'select * from messages where conversation_id = ?', [conversationId]),
          okStatus: 201,
        };
      },
    }),
  },
  'POST /v1/reports': {
    'a listing': () => ({
      serverOwned: { id: randomUUID(), reporterId: someone.id, createdAt: LONG_AGO, targetExists: false },
      async arrange() {
        const [reporter, seller] = await Promise.all([app.signup(), app.signup()]);
        const listing = await createListing(app, seller);
        return {
          valid: { targetType: 'listing', targetId: listing.id, reason: '허위 매물' },
          send: (body) => app.request('POST', '/v1/reports', { token: reporter.accessToken, body }),
          state: () => sql(app, 'select * from reports where target_id = ?', [listing.id]),
          okStatus: 201,
        };
      },
    }),
  },
};

test('every route that takes a JSON body has a list of server-owned fields', (t) => {
  const withBody = apiRoutes(app.deps).filter((route) => route.spec.body).map((route) => routeKey(route.spec));
  t.deepEqual(Object.keys(BODY_ROUTES).sort(), withBody.sort(), 'add the new body route with the fields its client must not set');
});

for (const [key, variants] of Object.entries(BODY_ROUTES)) {
  for (const [label, variant] of Object.entries(variants)) {
    test(`${key} (${label}): each server-owned field alone is a 400 and writes nothing`, async (t) => {
      const { serverOwned, arrange } = variant();
      const { valid, send, state, okStatus } = await arrange();
      const before = await state();
      for (const [field, value] of Object.entries(serverOwned)) {
        const res = await send(withField(valid, field, value));
        assertProblem(t, res, 400, null, `${key} with ${field}`);
        const name = field.split('.').at(-1)!;
        const named = (res.body.errors ?? []).some((e: { path: string; message: string }) => e.path.split('.').includes(name) || e.message.includes(`"${name}"`));
        t.true(named, `${field} is what was refused: ${JSON.stringify(res.body.errors)}`);
        t.deepEqual(await state(), before, `${key} with ${field} wrote nothing`);
      }
      // The same body without the extra field is accepted and does write: the refusals above were
      // the field's doing, and the compared rows would have shown a write.
      const control = await send(valid);
      t.is(control.status, okStatus, JSON.stringify(control.body));
      t.notDeepEqual(await state(), before);
    });
  }
}

test('PATCH: status and price are refused (409) where the auction or a trade owns them, and nothing changes', async (t) => {
  const seller = await app.signup();
  const { listingId: auctionListing } = await createAuction(app, seller);
  const buyer = await app.signup();
  const { listing: traded } = await pendingTrade(app, seller, buyer);
  const cases: [string, Record<string, unknown>, string][] = [
    [auctionListing, { status: 'sold' }, 'status-set-by-auction'],
    [auctionListing, { price: 1 }, 'price-set-by-auction'],
    [traded.id, { status: 'on_sale' }, 'status-set-by-trade'],
    [traded.id, { price: 1 }, 'listing-not-on-sale'],
  ];
  for (const [listingId, patch, code] of cases) {
    const before = await worldOf(app, listingId);
    const res = await app.request('PATCH', `/v1/listings/${listingId}`, { token: seller.accessToken, body: patch });
    assertProblem(t, res, 409, null, JSON.stringify(patch));
    t.is(res.body.type, `https://gavel.dev/problems/${code}`);
    t.deepEqual(await worldOf(app, listingId), before, `${JSON.stringify(patch)} changed nothing`);
  }
  // Control: the same seller may set the status of an untraded fixed-price listing by hand.
  const free = await createListing(app, seller);
  const ok = await app.request('PATCH', `/v1/listings/${free.id}`, { token: seller.accessToken, body: { status: 'reserved' } });
  t.is(ok.status, 200);
  t.is(ok.body.status, 'reserved');
});

test('routes without a body schema take nothing from a body (amounts and parties come from the server)', async (t) => {
  const [seller, buyer, other] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const listing = await createListing(app, seller, { price: 77_000 });
  const forged = { buyerId: other.id, sellerId: other.id, price: 1, status: 'completed', kind: 'auction', userId: other.id };
  // These routes declare no body, so the app ignores one instead of refusing it (see the report).
  const bought = await app.request('POST', `/v1/listings/${listing.id}/purchase`, { token: buyer.accessToken, body: forged });
  t.is(bought.status, 201, JSON.stringify(bought.body));
  t.like(bought.body, { buyerId: buyer.id, sellerId: seller.id, price: 77_000, status: 'pending', kind: 'purchase' });
  t.deepEqual(await sql(app, 'select buyer_id, seller_id, price::int as price, status from trades where listing_id = ?', [listing.id]), [
    { buyer_id: buyer.id, seller_id: seller.id, price: 77_000, status: 'pending' },
  ]);
  const completed = await app.request('POST', `/v1/trades/${bought.body.id}/complete`, { token: buyer.accessToken, body: { status: 'cancelled', price: 1 } });
  t.like(completed.body, { status: 'completed', price: 77_000 });

  const { auctionId } = await createAuction(app, seller, { buyNowPrice: 55_000 });
  const won = await app.request('POST', `/v1/auctions/${auctionId}/buy-now`, { token: buyer.accessToken, body: { price: 1, buyerId: other.id } });
  t.is(won.status, 201, JSON.stringify(won.body));
  t.like(won.body.auction, { currentPrice: 55_000, leaderId: buyer.id });
  t.deepEqual(await sql(app, 'select buyer_id, price::int as price from trades where id = ?', [won.body.tradeId]), [{ buyer_id: buyer.id, price: 55_000 }]);
});

test('identity comes from the token: naming another user in the body is a 400, in the query or a header it is ignored', async (t) => {
  const [a, b, seller] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const asB = { token: b.accessToken, headers: { 'x-user-id': a.id } };

  // Listing: B's token with sellerId A.
  const title = `누구 것 ${randomUUID()}`;
  const body = { title, description: '사칭 시도', categoryId: 1, price: 9_000 };
  assertProblem(t, await app.request('POST', '/v1/listings', { ...asB, body: { ...body, sellerId: a.id } }), 400, null, 'listing with sellerId');
  t.deepEqual(await sql(app, 'select id from listings where title = ?', [title]), []);
  const created = await app.request('POST', `/v1/listings?sellerId=${a.id}&userId=${a.id}`, { ...asB, body });
  t.is(created.status, 201);
  t.is(created.body.sellerId, b.id);
  t.deepEqual(await sql(app, 'select seller_id from listings where title = ?', [title]), [{ seller_id: b.id }]);

  // Bid: B's token with bidderId A.
  const { auctionId } = await createAuction(app, seller);
  assertProblem(t, await app.request('POST', `/v1/auctions/${auctionId}/bids`, { ...asB, body: { amount: 10_000, bidderId: a.id } }), 400, null, 'bid with bidderId');
  t.deepEqual(await sql(app, 'select id from bids where auction_id = ?', [auctionId]), []);
  const bid = await app.request('POST', `/v1/auctions/${auctionId}/bids?bidderId=${a.id}&userId=${a.id}`, { ...asB, body: { amount: 10_000 } });
  t.is(bid.status, 201);
  t.is(bid.body.auction.leaderId, b.id);
  t.deepEqual(await sql(app, 'select bidder_id from bids where auction_id = ?', [auctionId]), [{ bidder_id: b.id }]);

  // Like: no body is declared, so userId can only ride in the query or an ignored body.
  const listing = await createListing(app, seller);
  const liked = await app.request('PUT', `/v1/listings/${listing.id}/like?userId=${a.id}`, { ...asB, body: { userId: a.id } });
  t.is(liked.status, 200);
  t.deepEqual(await sql(app, 'select user_id from listing_likes where listing_id = ?', [listing.id]), [{ user_id: b.id }]);

  // Private lists: a query naming A still lists B's own.
  const likes = await app.request('GET', `/v1/me/likes?userId=${a.id}`, asB);
  t.deepEqual(likes.body.items.map((item: { id: string }) => item.id), [listing.id]);
  const bids = await app.request('GET', `/v1/me/bids?userId=${a.id}&bidderId=${a.id}`, asB);
  t.deepEqual(bids.body.items.map((item: { auction: { id: string } }) => item.auction.id), [auctionId]);
  const me = await app.request('GET', `/v1/me?id=${a.id}`, asB);
  t.is(me.body.id, b.id);
});

/** Every response body seen in one test, as text, with who asked. */
function recorder() {
  const seen: { label: string; viewer: string; text: string }[] = [];
  const call = async (viewer: TestUser | undefined, viewerName: string, method: string, path: string, body?: unknown) => {
    const res = await app.request(method, path, { token: viewer?.accessToken, body });
    seen.push({ label: `${method} ${path} as ${viewerName} → ${res.status}`, viewer: viewerName, text: typeof res.body === 'string' ? res.body : JSON.stringify(res.body) });
    return res;
  };
  return { seen, call };
}

async function readFirstEvent(path: string): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(app.baseUrl + path, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
  const reader = res.body!.getReader();
  let text = '';
  const deadline = Date.now() + 5_000;
  while (!text.includes('\n\n') && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  return text;
}

test('phone numbers reach only their owner, and no response ever carries a password or token hash', async (t) => {
  const { seen, call } = recorder();
  const [sellerA, buyerB, bidderC] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const anon = undefined;

  // A sells a fixed-price item (B buys it) and an auction (B and C bid, B leads, B likes it).
  const fixed = (await call(sellerA, 'A', 'POST', '/v1/listings', { title: '전화번호 점검 고정가', description: '연락 주세요', categoryId: 1, price: 20_000 })).body;
  const { auctionId, listingId: auctionListing } = await createAuction(app, sellerA);
  await call(bidderC, 'C', 'POST', `/v1/auctions/${auctionId}/bids`, { amount: 10_000 });
  await call(buyerB, 'B', 'POST', `/v1/auctions/${auctionId}/bids`, { amount: 11_000, maxAmount: 40_000 });
  await call(buyerB, 'B', 'PUT', `/v1/listings/${auctionListing}/like`);
  const trade = (await call(buyerB, 'B', 'POST', `/v1/listings/${fixed.id}/purchase`)).body;

  const publicReads = [
    '/v1/listings',
    `/v1/listings?sellerId=${sellerA.id}`,
    `/v1/listings?q=${encodeURIComponent('전화번호')}`,
    `/v1/listings/${fixed.id}`,
    `/v1/listings/${auctionListing}`,
    `/v1/auctions/${auctionId}`,
    `/v1/auctions/${auctionId}/bids`,
  ];
  for (const [viewer, name] of [[anon, 'anonymous'], [buyerB, 'B'], [bidderC, 'C'], [sellerA, 'A']] as const) {
    for (const path of publicReads) await call(viewer, name, 'GET', path);
  }
  for (const [viewer, name] of [[buyerB, 'B'], [sellerA, 'A']] as const) {
    await call(viewer, name, 'GET', `/v1/trades/${trade.id}`);
    await call(viewer, name, 'GET', `/v1/me/trades?role=${name === 'A' ? 'seller' : 'buyer'}`);
  }
  await call(buyerB, 'B', 'GET', '/v1/me/likes');
  await call(buyerB, 'B', 'GET', '/v1/me/bids');
  await call(bidderC, 'C', 'GET', '/v1/me/bids');
  await call(sellerA, 'A', 'POST', `/v1/trades/${trade.id}/complete`);
  seen.push({ label: 'SSE first event, anonymous', viewer: 'anonymous', text: await readFirstEvent(`/v1/auctions/${auctionId}/events`) });

  const phones = { A: sellerA.phone, B: buyerB.phone, C: bidderC.phone };
  const leaks = (phone: string, text: string) => phoneForms(phone).some((form) => text.includes(form));
  for (const entry of seen) {
    for (const [owner, phone] of Object.entries(phones)) {
      if (owner !== entry.viewer) t.false(leaks(phone, entry.text), `${owner}'s phone in ${entry.label}`);
    }
  }
  t.true(seen.length > 40);

  // Own account responses: the owner's phone is shown to the owner (a positive control for the
  // scan above), and they too carry no hash.
  const me = await call(sellerA, 'A', 'GET', '/v1/me');
  t.true(leaks(sellerA.phone, JSON.stringify(me.body)), 'the scan finds a phone where one is');
  await call(anon, 'anonymous', 'POST', '/v1/auth/login', { phone: sellerA.phone, password: sellerA.password });
  await call(anon, 'anonymous', 'POST', '/v1/auth/refresh', { refreshToken: buyerB.refreshToken });
  await call(anon, 'anonymous', 'POST', '/v1/auth/signup', { phone: `+8217${String(Date.now()).slice(-8)}`, password: 'correct horse battery', nickname: '해시점검' });

  const hashes = [
    ...(await sql<{ h: string }>(app, 'select password_hash as h from users')).map((r) => r.h),
    ...(await sql<{ h: string }>(app, 'select token_hash as h from refresh_tokens')).map((r) => r.h),
  ];
  t.true(hashes.length > 6);
  for (const entry of seen) {
    t.false(/password_?hash|token_?hash/i.test(entry.text), `a hash field in ${entry.label}`);
    t.false(entry.text.includes('$argon2'), `an argon2 hash in ${entry.label}`);
    for (const hash of hashes) t.false(entry.text.includes(hash), `a stored hash in ${entry.label}`);
    t.false(entry.text.includes('correct horse battery'), `a password in ${entry.label}`);
  }
});

test('a proxy maximum is shown only to the bidder who set it, and the reserve price to nobody', async (t) => {
  const [seller, leader, rival] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  // The reserve sits above every bid: once a maximum meets it the price rises to it by design.
  const { auctionId, listingId } = await createAuction(app, seller, { reservePrice: 77_777 });
  await placeBid(app, rival, auctionId, { amount: 10_000 });
  const placed = await placeBid(app, leader, auctionId, { amount: 11_000, maxAmount: 48_484 });
  t.is(placed.body.auction.myMaxAmount, 48_484, 'the leader sees their own maximum');

  const views: [string, HttpResult][] = [];
  for (const [name, viewer] of [['anonymous', undefined], ['seller', seller], ['rival', rival]] as const) {
    for (const path of [`/v1/auctions/${auctionId}`, `/v1/auctions/${auctionId}/bids`, `/v1/listings/${listingId}`, '/v1/me/bids']) {
      views.push([`${path} as ${name}`, await app.request('GET', path, { token: viewer?.accessToken })]);
    }
  }
  views.push(['SSE', { status: 200, headers: new Headers(), body: await readFirstEvent(`/v1/auctions/${auctionId}/events`) }]);
  for (const [label, res] of views) {
    const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
    t.false(text.includes('48484'), `the leader's maximum in ${label}`);
    t.false(text.includes('77777'), `the reserve price in ${label}`);
    t.false(/reservePrice|leaderMaxAmount/.test(text), `a private field name in ${label}`);
  }
  const forRival = await app.request('GET', `/v1/auctions/${auctionId}`, { token: rival.accessToken });
  t.like(forRival.body, { myMaxAmount: null, reserveMet: false });
  const forLeader = await app.request('GET', `/v1/auctions/${auctionId}`, { token: leader.accessToken });
  t.is(forLeader.body.myMaxAmount, 48_484);
});

test('refused callers learn nothing of the resource from the problem body', async (t) => {
  const [seller, buyer, outsider] = await Promise.all([app.signup(), app.signup(), app.signup()]);
  const { trade } = await pendingTrade(app, seller, buyer);
  for (const [method, path] of [['GET', `/v1/trades/${trade.id}`], ['POST', `/v1/trades/${trade.id}/complete`], ['POST', `/v1/trades/${trade.id}/cancel`]] as const) {
    for (const caller of [outsider, undefined]) {
      const res = await app.request(method, path, { token: caller?.accessToken });
      const text = JSON.stringify(res.body);
      t.true(res.status === 401 || res.status === 403, `${method} ${path}: ${res.status}`);
      for (const secret of [seller.id, buyer.id, ...phoneFormsOf(seller, buyer), String(trade.price)]) t.false(text.includes(secret), `${method} ${path} shows ${secret}`);
    }
  }
});

const phoneFormsOf = (...users: TestUser[]) => users.flatMap((user) => phoneForms(user.phone));
