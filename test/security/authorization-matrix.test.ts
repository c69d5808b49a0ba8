import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { apiRoutes } from '../../api/app.ts';
import { closeAuction } from '../../domain/auctions/close-auction.ts';
import { startTestApi, type HttpResult, type TestApi, type TestUser } from '../support/api.ts';
import { chatMessage, createAuction, createListing, openChat, pendingTrade, routeKey, sql, worldOf } from './fixtures.ts';
import { expectStatus, placeBid } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';
import { captureVerificationSms } from '../support/sms-capture.ts';

/**
 * OWASP API1 (object level) and API5 (function level): who may call each guarded route on a
 * resource that belongs to someone. For every route the refused callers go first and must leave
 * the database as it was; the allowed caller goes last and must change it (for a write), which
 * shows the "unchanged" comparison would have seen a change had a refused call got through.
 */
let app: TestApi;
let sms: ReturnType<typeof captureVerificationSms>;
test.before(async () => {
  app = await startTestApi('authz_matrix');
  sms = captureVerificationSms(app);
});
test.after.always(async () => {
  await app?.close();
});

type Party = 'owner' | 'other' | 'anonymous';

interface Arranged {
  /** Whoever the resource belongs to (seller, buyer, liker, bidder, admin). */
  owner: TestUser;
  /** Another signed-up user with no stake in it. */
  other: TestUser;
  call(caller: TestUser | undefined): Promise<HttpResult>;
  /** The rows the call could change. */
  state(): Promise<unknown>;
  /** Checks on an allowed (2xx) answer: whose data it shows, whose rows it wrote. */
  allowed?(t: ExecutionContext, party: Party, res: HttpResult): Promise<void> | void;
}

interface Access {
  /** Expected status per caller; null where the caller has no meaning (nothing to own yet). */
  owner: number | null;
  other: number | null;
  anonymous: number;
  why?: string;
  scenarios: Record<string, () => Promise<Arranged>>;
}

const users = () => Promise.all([app.signup(), app.signup(), app.signup()]);

/** An auction that has just ended: its end moved into the past, then closed as the close job closes it. */
async function closeNow(auctionId: string) {
  await sql(app, `update auctions set ends_at = clock_timestamp() - interval '1 second' where id = ?`, [auctionId]);
  const closed = await closeAuction(app.db.orm.em.fork(), app.deps.followUps, auctionId);
  if (closed.result !== 'closed') throw new Error(`not closed: ${closed.result}`);
  return closed;
}

/** A listing whose auction ended unsold: `ended`, waiting to be relisted. */
async function endedAuction(seller: TestUser) {
  const auction = await createAuction(app, seller);
  await closeNow(auction.auctionId);
  return auction;
}

/** A sold auction whose winner's trade was called off: ready for a second chance to the runner-up. */
async function fallenThrough() {
  const [seller, runnerUp, winner] = await users();
  const { auctionId, listingId } = await createAuction(app, seller!);
  await placeBid(app, runnerUp!, auctionId, { amount: 10_000 });
  await placeBid(app, winner!, auctionId, { amount: 12_000 });
  const { tradeId } = await closeNow(auctionId);
  await expectStatus(await app.request('POST', `/v1/trades/${tradeId}/cancel`, { token: winner!.accessToken, body: { reason: '안 옴' } }), 200, 'cancel');
  return { seller: seller!, runnerUp: runnerUp!, auctionId, listingId };
}

async function secondChance() {
  const fallen = await fallenThrough();
  const offer = await expectStatus(await app.request('POST', `/v1/auctions/${fallen.auctionId}/second-chance`, { token: fallen.seller.accessToken }), 201, 'offer');
  return { ...fallen, offerId: offer.body.offerId as string };
}
const as = (user: TestUser | undefined) => user?.accessToken;

/**
 * Seller-refused, buyer-allowed listing routes (purchase, offer, conversation): the owner is the
 * listing's seller; `check` looks at the other user's allowed answer and the rows it wrote.
 */
function onOthersListing(
  action: string,
  what: string,
  body: Record<string, unknown> | undefined,
  state: (listingId: string) => Promise<unknown>,
  check: (t: ExecutionContext, res: HttpResult, ids: { buyerId: string; sellerId: string; listingId: string }) => Promise<void> | void,
): Access {
  return {
    owner: 403, other: 201, anonymous: 401,
    why: `the seller cannot ${what} their own listing (own-listing); any other user may`,
    scenarios: {
      'owner is the seller': async () => {
        const [a, b] = await users();
        const listing = await createListing(app, a!);
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', `/v1/listings/${listing.id}/${action}`, { token: as(caller), body }),
          state: () => state(listing.id),
          allowed: (t, _p, res) => check(t, res, { buyerId: b!.id, sellerId: a!.id, listingId: listing.id }),
        };
      },
    },
  };
}

/** A price offer of `buyer` on a new fixed-price listing of `seller`. */
async function priceOffer(seller: TestUser, buyer: TestUser): Promise<{ offerId: string; listingId: string }> {
  const listing = await createListing(app, seller);
  const res = await expectStatus(await app.request('POST', `/v1/listings/${listing.id}/offers`, { token: buyer.accessToken, body: { amount: 20_000 } }), 201, 'offer');
  return { offerId: res.body.offerId, listingId: listing.id };
}

const offersOf = (listingId: string) => sql(app, 'select * from offers where listing_id = ? order by id', [listingId]);

/** A step on a price offer that only one of its parties may take; the other party is refused too. */
function priceOfferStep(action: string, actor: 'seller' | 'buyer', ok: number, body?: unknown): Access {
  return {
    owner: ok, other: 403, anonymous: 401,
    why: `the offer's ${actor} only (not-offer-${actor}); the other party and outsiders are refused`,
    scenarios: Object.fromEntries(
      (['the other party', 'an outsider'] as const).map((otherIs) => [
        `owner is the ${actor}, other ${otherIs}`,
        async (): Promise<Arranged> => {
          const [seller, buyer, outsider] = await users();
          const offer = await priceOffer(seller!, buyer!);
          const [owner, counterpart] = actor === 'seller' ? [seller!, buyer!] : [buyer!, seller!];
          return {
            owner, other: otherIs === 'the other party' ? counterpart : outsider!,
            call: (caller) => app.request('POST', `/v1/offers/${offer.offerId}/${action}`, { token: as(caller), ...(body === undefined ? {} : { body }) }),
            state: async () => ({ offers: await offersOf(offer.listingId), notices: await sql(app, 'select user_id, kind from notifications where offer_id = ? order by kind', [offer.offerId]) }),
            allowed: (t, _p, res) => void t.is(res.body.offerId, offer.offerId),
          };
        },
      ]),
    ),
  };
}

/** Conversation routes, tried with the owner as the buyer and as the seller; a third user is the outsider. */
function chatScenarios(make: (chat: { conversationId: string; listingId: string }, owner: TestUser, counterpart: TestUser) => Promise<Omit<Arranged, 'owner' | 'other'>>) {
  const build = (ownerIs: 'buyer' | 'seller') => async (): Promise<Arranged> => {
    const [a, counterpart, outsider] = await users();
    const chat = ownerIs === 'buyer' ? await openChat(app, counterpart!, a!) : await openChat(app, a!, counterpart!);
    return { owner: a!, other: outsider!, ...(await make(chat, a!, counterpart!)) };
  };
  return { 'owner is the buyer': build('buyer'), 'owner is the seller': build('seller') };
}

function chatAccess(ok: number, make: Parameters<typeof chatScenarios>[0]): Access {
  return { owner: ok, other: 403, anonymous: 401, why: 'only the two parties of a conversation', scenarios: chatScenarios(make) };
}

/** Block routes: each caller changes only their own block list. */
function blockAccess(method: 'PUT' | 'DELETE'): Access {
  return {
    owner: 204, other: 204, anonymous: 401,
    why: "no owner id in the path: the token picks whose block list; another caller's call changes only theirs",
    scenarios: {
      'owner and another user, one target': async () => {
        const [a, b, target] = await users();
        if (method === 'DELETE') await sql(app, 'insert into blocks (blocker_id, blocked_id) values (?, ?)', [a!.id, target!.id]);
        const ownBlocks = () => sql(app, 'select blocked_id from blocks where blocker_id = ?', [a!.id]);
        return {
          owner: a!, other: b!,
          call: (caller) => app.request(method, `/v1/me/blocks/${target!.id}`, { token: as(caller) }),
          state: ownBlocks,
          async allowed(t, party) {
            const rows = await ownBlocks();
            const ownerShouldHave = party === 'owner' ? method === 'PUT' : method === 'DELETE';
            t.is(rows.length, ownerShouldHave ? 1 : 0, `after the ${party}'s call`);
          },
        };
      },
    },
  };
}

/** An outbid notice in `user`'s inbox: they bid on a new seller's auction and a third user outbids them. */
async function outbidNotice(user: TestUser): Promise<string> {
  const [seller, rival] = await Promise.all([app.signup(), app.signup()]);
  const { auctionId } = await createAuction(app, seller);
  await placeBid(app, user, auctionId, { amount: 10_000 });
  await placeBid(app, rival, auctionId, { amount: 20_000 });
  const [row] = await sql(app, `select id from notifications where user_id = ? and kind = 'outbid'`, [user.id]);
  return row.id;
}

/** Trade routes are tried with the owner as the buyer and as the seller; a third user is the outsider. */
function tradeScenarios(make: (trade: any, listing: any, owner: TestUser, other: TestUser) => Omit<Arranged, 'owner' | 'other'>) {
  const build = (ownerIs: 'buyer' | 'seller') => async (): Promise<Arranged> => {
    const [a, counterpart, outsider] = await users();
    const { listing, trade } = ownerIs === 'buyer' ? await pendingTrade(app, counterpart!, a!) : await pendingTrade(app, a!, counterpart!);
    return { owner: a!, other: outsider!, ...make(trade, listing, a!, outsider!) };
  };
  return { 'owner is the buyer': build('buyer'), 'owner is the seller': build('seller') };
}

function settle(action: 'complete' | 'cancel'): Access {
  return {
    owner: 200,
    other: 403,
    anonymous: 401,
    scenarios: tradeScenarios((trade, listing) => ({
      call: (caller) => app.request('POST', `/v1/trades/${trade.id}/${action}`, { token: as(caller) }),
      state: () => worldOf(app, listing.id),
      async allowed(t, _party, res) {
        t.is(res.body.id, trade.id);
        const [row] = await sql(app, 'select status from trades where id = ?', [trade.id]);
        t.is(row.status, action === 'complete' ? 'completed' : 'cancelled');
      },
    })),
  };
}

/** Owner-only listing routes, tried on a fixed-price and an auction listing. */
function ownListing(method: 'PATCH' | 'DELETE', okStatus: number, body?: Record<string, unknown>): Access {
  const build = (auction: boolean) => async (): Promise<Arranged> => {
    const [a, b] = await users();
    const listingId = auction ? (await createAuction(app, a!)).listingId : (await createListing(app, a!)).id;
    return {
      owner: a!,
      other: b!,
      call: (caller) => app.request(method, `/v1/listings/${listingId}`, { token: as(caller), body }),
      state: () => worldOf(app, listingId),
      async allowed(t, _party, res) {
        const [row] = await sql(app, 'select title from listings where id = ?', [listingId]);
        if (method === 'DELETE') t.is(row, undefined, 'the owner removed it');
        else t.is(res.body.title, body!.title);
      },
    };
  };
  return {
    owner: okStatus,
    // The listing is public (GET /v1/listings/:id), so there is no existence to hide: 403.
    other: 403,
    anonymous: 401,
    scenarios: { 'fixed-price listing': build(false), 'auction listing': build(true) },
  };
}

/** Seller-refused, buyer-allowed auction routes: the owner is the auction's seller. */
function onOthersAuction(path: string, body: Record<string, unknown> | undefined, check: (t: ExecutionContext, res: HttpResult, bidder: TestUser, auctionId: string) => Promise<void>): Access {
  return {
    owner: 403,
    other: 201,
    anonymous: 401,
    why: 'sellers cannot bid on or buy their own auction (own-auction); any other user may',
    scenarios: {
      'owner is the seller': async () => {
        const [a, b] = await users();
        const { auctionId, listingId } = await createAuction(app, a!);
        return {
          owner: a!,
          other: b!,
          call: (caller) => app.request('POST', `/v1/auctions/${auctionId}/${path}`, { token: as(caller), body }),
          state: () => worldOf(app, listingId),
          allowed: (t, _party, res) => check(t, res, b!, auctionId),
        };
      },
    },
  };
}

/** A `/v1/me/...` list: the owner and another user each have one item, and each sees only theirs. */
type MakeList = (owner: TestUser, other: TestUser) => Promise<{ path: string; ownerItem: string; otherItem: string; itemId: (item: any) => string }>;

function myList(make: MakeList, more: Record<string, MakeList> = {}): Access {
  const scenario = (makeOne: MakeList) => async (): Promise<Arranged> => {
    const [a, b] = await users();
    const { path, ownerItem, otherItem, itemId } = await makeOne(a!, b!);
    return {
      owner: a!,
      other: b!,
      call: (caller) => app.request('GET', path, { token: as(caller) }),
      state: async () => null,
      allowed(t, party, res) {
        t.deepEqual(res.body.items.map(itemId), [party === 'owner' ? ownerItem : otherItem], `${party} sees exactly their own`);
      },
    };
  };
  return {
    owner: 200,
    // No id in the path: the token picks whose list. Another user gets 200 with their own list.
    other: 200,
    anonymous: 401,
    scenarios: {
      'each user has one item': scenario(make),
      ...Object.fromEntries(Object.entries(more).map(([label, makeOne]) => [label, scenario(makeOne)])),
    },
  };
}

/** A completed trade between `owner` (as buyer or seller) and a counterpart; a third user is the outsider. */
function completedTradeScenarios(make: (tradeId: string, owner: TestUser, counterpart: TestUser) => Promise<Omit<Arranged, 'owner' | 'other'>>) {
  const build = (ownerIs: 'buyer' | 'seller') => async (): Promise<Arranged> => {
    const [a, counterpart, outsider] = await users();
    const { trade } = ownerIs === 'buyer' ? await pendingTrade(app, counterpart!, a!) : await pendingTrade(app, a!, counterpart!);
    await expectStatus(await app.request('POST', `/v1/trades/${trade.id}/complete`, { token: a!.accessToken }), 200, 'complete');
    return { owner: a!, other: outsider!, ...(await make(trade.id, a!, counterpart!)) };
  };
  return { 'owner is the buyer': build('buyer'), 'owner is the seller': build('seller') };
}

const MATRIX: Record<string, Access> = {
  // Account routes are how a caller gets a token in the first place; the credential in the body
  // (password, refresh token) is what authorizes them.
  'POST /v1/auth/signup': {
    owner: null, other: null, anonymous: 201,
    why: 'public: creates the caller',
    scenarios: {
      'new phone': async () => {
        const [a, b] = await users();
        const phone = `+8219${String(Date.now()).slice(-8)}`;
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/auth/signup', { token: as(caller), body: { phone, password: 'correct horse battery', nickname: '새회원' } }),
          state: () => sql(app, 'select id, role from users where phone = ?', [phone]),
          allowed: (t, _p, res) => void t.is(res.body.user.role, 'user'),
        };
      },
    },
  },
  'POST /v1/auth/phone-verifications': {
    owner: null, other: null, anonymous: 201,
    why: 'public: proves a phone before any account exists',
    scenarios: {
      'new phone': async () => {
        const [a, b] = await users();
        const phone = `+8216${String(Date.now()).slice(-8)}`;
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/auth/phone-verifications', { token: as(caller), body: { phone } }),
          state: () => sql(app, 'select id from phone_verifications where phone = ?', [phone]),
        };
      },
    },
  },
  'POST /v1/auth/phone-verifications/:id/confirm': {
    owner: null, other: null, anonymous: 200,
    why: 'public: the code sent by SMS is the credential',
    scenarios: {
      'the code sent': async () => {
        const [a, b] = await users();
        const phone = `+8215${String(Date.now()).slice(-8)}`;
        const started = await expectStatus(await app.request('POST', '/v1/auth/phone-verifications', { body: { phone } }), 201, 'start');
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', `/v1/auth/phone-verifications/${started.body.id}/confirm`, { token: as(caller), body: { code: sms.codeFor(phone) } }),
          state: () => sql(app, 'select attempts, confirmed_at from phone_verifications where id = ?', [started.body.id]),
        };
      },
    },
  },
  'POST /v1/auth/login': {
    owner: null, other: null, anonymous: 200, why: 'public: the password is the credential',
    scenarios: {
      'own credentials': async () => {
        const [a, b] = await users();
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/auth/login', { token: as(caller), body: { phone: a!.phone, password: a!.password } }),
          state: () => sql(app, 'select id from refresh_tokens where user_id = ? order by id', [a!.id]),
        };
      },
    },
  },
  'POST /v1/auth/refresh': {
    owner: null, other: null, anonymous: 200, why: 'public: the refresh token is the credential',
    scenarios: {
      'own refresh token': async () => {
        const [a, b] = await users();
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/auth/refresh', { token: as(caller), body: { refreshToken: a!.refreshToken } }),
          state: () => sql(app, 'select id, used_at from refresh_tokens where user_id = ? order by id', [a!.id]),
          async allowed(t, _p, res) {
            const me = await app.request('GET', '/v1/me', { token: res.body.accessToken });
            t.is(me.body.id, a!.id, 'the new pair is the refresh token’s owner’s');
          },
        };
      },
    },
  },
  'POST /v1/auth/logout': {
    owner: null, other: null, anonymous: 204, why: 'public: the refresh token is the credential',
    scenarios: {
      'own refresh token': async () => {
        const [a, b] = await users();
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/auth/logout', { token: as(caller), body: { refreshToken: a!.refreshToken } }),
          state: () => sql(app, 'select id, revoked_at from refresh_tokens where user_id = ? order by id', [a!.id]),
        };
      },
    },
  },
  'GET /v1/me': {
    owner: 200, other: 200, anonymous: 401,
    why: 'no id in the path: each caller sees themselves',
    scenarios: {
      'two users': async () => {
        const [a, b] = await users();
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('GET', '/v1/me', { token: as(caller) }),
          state: async () => null,
          allowed(t, party, res) {
            const self = party === 'owner' ? a! : b!;
            t.like(res.body, { id: self.id, phone: self.phone });
          },
        };
      },
    },
  },
  'GET /v1/me/notifications': myList(async (a, b) => ({
    path: '/v1/me/notifications',
    ownerItem: await outbidNotice(a),
    otherItem: await outbidNotice(b),
    itemId: (item) => item.id,
  })),
  'GET /v1/me/notifications/unread-count': {
    owner: 200, other: 200, anonymous: 401,
    why: 'no id in the path: each caller counts their own',
    scenarios: {
      'owner has one unread item': async () => {
        const [a, b] = await users();
        await outbidNotice(a!);
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('GET', '/v1/me/notifications/unread-count', { token: as(caller) }),
          state: async () => null,
          allowed: (t, party, res) => void t.is(res.body.unreadCount, party === 'owner' ? 1 : 0),
        };
      },
    },
  },
  'POST /v1/me/notifications/read': {
    owner: 200, other: 200, anonymous: 401,
    why: "the token picks whose items; another user's ids are ignored, not refused",
    scenarios: {
      "owner's item by id": async () => {
        const [a, b] = await users();
        const id = await outbidNotice(a!);
        const readAt = async () => (await sql(app, 'select read_at from notifications where id = ?', [id]))[0].read_at;
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/me/notifications/read', { token: as(caller), body: { ids: [id] } }),
          state: () => sql(app, 'select id, read_at from notifications where user_id = ? order by id', [a!.id]),
          async allowed(t, party) {
            if (party === 'other') t.is(await readAt(), null, "another user's call leaves the owner's item unread");
            else t.truthy(await readAt());
          },
        };
      },
    },
  },
  'POST /v1/me/stream-tickets': {
    owner: 201, other: 201, anonymous: 401,
    why: "no id in the path: a ticket always stands for its caller",
    scenarios: {
      'two users': async () => {
        const [a, b] = await users();
        const issued: { party: Party; ticket: string }[] = [];
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/me/stream-tickets', { token: as(caller) }),
          state: async () => issued.length,
          async allowed(t, party, res) {
            issued.push({ party, ticket: res.body.ticket });
            const self = party === 'owner' ? a! : b!;
            t.is((await app.deps.streamTickets.redeem(res.body.ticket))?.userId, self.id, `the ticket stands for the ${party}`);
          },
        };
      },
    },
  },
  'POST /v1/listings/:id/conversations': onOthersListing(
    'conversations',
    'open a conversation on',
    undefined,
    (listingId) => sql(app, 'select buyer_id, seller_id from conversations where listing_id = ?', [listingId]),
    (t, res, { buyerId, sellerId }) => void t.like(res.body, { buyerId, sellerId }),
  ),
  'GET /v1/me/conversations': myList(async (a, b) => {
    const seller = await app.signup();
    const [mine, theirs] = [await openChat(app, seller, a), await openChat(app, seller, b)];
    return { path: '/v1/me/conversations', ownerItem: mine.conversationId, otherItem: theirs.conversationId, itemId: (item) => item.id };
  }),
  'GET /v1/conversations/:id/messages': chatAccess(200, async ({ conversationId }, _owner, counterpart) => {
    const messageId = await chatMessage(app, counterpart, conversationId);
    return {
      call: (caller) => app.request('GET', `/v1/conversations/${conversationId}/messages`, { token: as(caller) }),
      state: async () => null,
      allowed: (t, _p, res) => void t.deepEqual(res.body.items.map((m: any) => m.id), [messageId]),
    };
  }),
  'POST /v1/conversations/:id/messages': chatAccess(201, async ({ conversationId }, owner) => ({
    call: (caller) => app.request('POST', `/v1/conversations/${conversationId}/messages`, { token: as(caller), body: { text: '네고 되나요?' } }),
    state: () => sql(app, 'select sender_id, text from messages where conversation_id = ? order by created_at', [conversationId]),
    allowed: (t, _p, res) => void t.is(res.body.senderId, owner.id),
  })),
  'POST /v1/conversations/:id/read': chatAccess(200, async ({ conversationId }, _owner, counterpart) => {
    await chatMessage(app, counterpart, conversationId);
    return {
      call: (caller) => app.request('POST', `/v1/conversations/${conversationId}/read`, { token: as(caller) }),
      state: () => sql(app, 'select seller_read_at, buyer_read_at from conversations where id = ?', [conversationId]),
      allowed: (t, _p, res) => void t.is(res.body.unreadCount, 0),
    };
  }),
  'POST /v1/trades/:id/reviews': {
    owner: 201, other: 403, anonymous: 401, why: 'the two parties of a completed trade only (not-trade-party)',
    scenarios: completedTradeScenarios(async (tradeId, owner) => ({
      call: (caller) => app.request('POST', `/v1/trades/${tradeId}/reviews`, { token: as(caller), body: { rating: 'good' } }),
      state: () => sql(app, 'select reviewer_id, rating from reviews where trade_id = ?', [tradeId]),
      allowed: (t, _p, res) => void t.like(res.body, { tradeId, reviewerId: owner.id }),
    })),
  },
  'PATCH /v1/reviews/:id': {
    owner: 200, other: 403, anonymous: 401, why: 'its author only (not-review-author); the reviewee is refused too',
    scenarios: {
      'owner wrote it, other is the reviewee': async () => {
        const [a, seller] = await users();
        const { trade } = await pendingTrade(app, seller!, a!);
        await expectStatus(await app.request('POST', `/v1/trades/${trade.id}/complete`, { token: a!.accessToken }), 200, 'complete');
        const review = await expectStatus(await app.request('POST', `/v1/trades/${trade.id}/reviews`, { token: a!.accessToken, body: { rating: 'good' } }), 201, 'review');
        return {
          owner: a!, other: seller!,
          call: (caller) => app.request('PATCH', `/v1/reviews/${review.body.id}`, { token: as(caller), body: { rating: 'bad', text: '연락 두절' } }),
          state: () => sql(app, 'select rating, text from reviews where id = ?', [review.body.id]),
          allowed: (t, _p, res) => void t.like(res.body, { reviewerId: a!.id, rating: 'bad' }),
        };
      },
    },
  },
  'POST /v1/me/keyword-alerts': {
    // No prior owner: the alert becomes the token's user's (a body naming someone else is a 400, property-authorization).
    owner: 201, other: null, anonymous: 401,
    scenarios: {
      'a new alert': async () => {
        const [a, b] = await users();
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/me/keyword-alerts', { token: as(caller), body: { keyword: '캠핑의자' } }),
          state: () => sql(app, 'select user_id from keyword_alerts where user_id in (?, ?)', [a!.id, b!.id]),
          async allowed(t) {
            t.deepEqual(await sql(app, 'select user_id from keyword_alerts where user_id in (?, ?)', [a!.id, b!.id]), [{ user_id: a!.id }]);
          },
        };
      },
    },
  },
  'GET /v1/me/keyword-alerts': myList(async (a, b) => {
    const [mine, theirs] = [
      await expectStatus(await app.request('POST', '/v1/me/keyword-alerts', { token: a.accessToken, body: { keyword: '텐트' } }), 201, 'alert'),
      await expectStatus(await app.request('POST', '/v1/me/keyword-alerts', { token: b.accessToken, body: { keyword: '텐트' } }), 201, 'alert'),
    ];
    return { path: '/v1/me/keyword-alerts', ownerItem: mine.body.id, otherItem: theirs.body.id, itemId: (item) => item.id };
  }),
  'DELETE /v1/me/keyword-alerts/:id': {
    owner: 204, other: 404, anonymous: 401, why: "another user's alert is answered as a missing one: alert ids are nobody else's business",
    scenarios: {
      "owner's alert": async () => {
        const [a, b] = await users();
        const alert = await expectStatus(await app.request('POST', '/v1/me/keyword-alerts', { token: a!.accessToken, body: { keyword: '의자' } }), 201, 'alert');
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('DELETE', `/v1/me/keyword-alerts/${alert.body.id}`, { token: as(caller) }),
          state: () => sql(app, 'select id from keyword_alerts where id = ?', [alert.body.id]),
        };
      },
    },
  },
  'PUT /v1/me/blocks/:userId': blockAccess('PUT'),
  'DELETE /v1/me/blocks/:userId': blockAccess('DELETE'),
  'GET /v1/me/blocks': myList(async (a, b) => {
    const [x, y] = await Promise.all([app.signup(), app.signup()]);
    await sql(app, 'insert into blocks (blocker_id, blocked_id) values (?, ?), (?, ?)', [a.id, x.id, b.id, y.id]);
    return { path: '/v1/me/blocks', ownerItem: x.id, otherItem: y.id, itemId: (item) => item.userId };
  }),
  'POST /v1/reports': {
    owner: 201, other: null, anonymous: 401,
    why: 'any signed-in user reports; the report is the caller\'s (property-authorization checks the body)',
    scenarios: {
      'a listing': async () => {
        const [a, b, seller] = await users();
        const listing = await createListing(app, seller!);
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/reports', { token: as(caller), body: { targetType: 'listing', targetId: listing.id, reason: '사기 의심' } }),
          state: () => sql(app, 'select reporter_id from reports where target_id = ?', [listing.id]),
          allowed: (t, _p, res) => void t.is(res.body.reporterId, a!.id),
        };
      },
    },
  },
  'GET /v1/admin/reports': {
    owner: 200, other: 403, anonymous: 401, why: 'owner = an admin; other = an ordinary user',
    scenarios: {
      'admin and ordinary user': async () => {
        const [a, b, reporter] = await users();
        const listing = await createListing(app, b!);
        await app.request('POST', '/v1/reports', { token: reporter!.accessToken, body: { targetType: 'listing', targetId: listing.id, reason: '중복 게시' } });
        return {
          owner: await makeAdmin(a!), other: b!,
          call: (caller) => app.request('GET', '/v1/admin/reports?limit=100', { token: as(caller) }),
          state: async () => null,
          allowed: (t, _p, res) => void t.true(res.body.items.some((r: any) => r.targetId === listing.id)),
        };
      },
    },
  },
  'POST /v1/admin/users/:id/suspend': {
    owner: 200, other: 403, anonymous: 401, why: 'owner = an admin; other = an ordinary user',
    scenarios: {
      'admin and ordinary user': async () => {
        const [a, b, target] = await users();
        return {
          owner: await makeAdmin(a!), other: b!,
          call: (caller) => app.request('POST', `/v1/admin/users/${target!.id}/suspend`, { token: as(caller) }),
          state: () => sql(app, 'select suspended_at from users where id = ?', [target!.id]),
          allowed: (t, _p, res) => void t.is(res.body.userId, target!.id),
        };
      },
    },
  },
  'POST /v1/admin/listings/:id/hide': {
    owner: 200, other: 403, anonymous: 401, why: 'owner = an admin; other = an ordinary user (the seller included)',
    scenarios: {
      'admin and the seller': async () => {
        const [a, seller] = await users();
        const listing = await createListing(app, seller!);
        return {
          owner: await makeAdmin(a!), other: seller!,
          call: (caller) => app.request('POST', `/v1/admin/listings/${listing.id}/hide`, { token: as(caller) }),
          state: () => sql(app, 'select hidden_at from listings where id = ?', [listing.id]),
          allowed: (t, _p, res) => void t.is(res.body.listingId, listing.id),
        };
      },
    },
  },
  'POST /v1/listings': {
    // Creating has no prior owner; that the new listing is the token's user's is asserted here
    // and, with a body naming someone else, in property-authorization.test.ts.
    owner: 201, other: null, anonymous: 401,
    scenarios: {
      'fixed-price listing': async () => {
        const [a, b] = await users();
        const title = `새 상품 ${randomUUID()}`;
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/listings', { token: as(caller), body: { title, description: '새것', categoryId: 1, price: 5_000 } }),
          state: () => sql(app, 'select id, seller_id from listings where title = ?', [title]),
          async allowed(t, _p, res) {
            t.is(res.body.sellerId, a!.id);
            t.deepEqual(await sql(app, 'select seller_id from listings where title = ?', [title]), [{ seller_id: a!.id }]);
          },
        };
      },
    },
  },
  'PATCH /v1/listings/:id': ownListing('PATCH', 200, { title: '가격 내림' }),
  'DELETE /v1/listings/:id': ownListing('DELETE', 204),
  // The like belongs to the user who made it. Anyone may like any listing, so the other user's
  // call succeeds, but it must touch only the other user's like, never the owner's.
  'PUT /v1/listings/:id/like': {
    owner: 200, other: 200, anonymous: 401,
    scenarios: {
      'owner has not liked yet': async () => {
        const [a, b, seller] = await users();
        const listing = await createListing(app, seller!);
        const likeOf = (user: TestUser) => sql(app, 'select user_id from listing_likes where listing_id = ? and user_id = ?', [listing.id, user.id]);
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('PUT', `/v1/listings/${listing.id}/like`, { token: as(caller) }),
          state: () => likeOf(a!),
          async allowed(t, party, res) {
            t.is(res.body.liked, true);
            if (party === 'other') {
              t.deepEqual(await likeOf(a!), [], 'the other user’s like is not the owner’s');
              t.is((await likeOf(b!)).length, 1);
            }
          },
        };
      },
    },
  },
  'DELETE /v1/listings/:id/like': {
    owner: 200, other: 200, anonymous: 401,
    scenarios: {
      'owner has liked': async () => {
        const [a, b, seller] = await users();
        const listing = await createListing(app, seller!);
        await expectStatus(await app.request('PUT', `/v1/listings/${listing.id}/like`, { token: a!.accessToken }), 200, 'like');
        const likeOf = (user: TestUser) => sql(app, 'select user_id from listing_likes where listing_id = ? and user_id = ?', [listing.id, user.id]);
        const count = async () => (await sql(app, 'select like_count from listings where id = ?', [listing.id]))[0].like_count;
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('DELETE', `/v1/listings/${listing.id}/like`, { token: as(caller) }),
          state: async () => ({ like: await likeOf(a!), count: await count() }),
          async allowed(t, party, res) {
            t.is(res.body.liked, false);
            if (party === 'other') {
              t.is((await likeOf(a!)).length, 1, 'the other user’s unlike left the owner’s like');
              t.is(await count(), 1);
            }
          },
        };
      },
    },
  },
  'GET /v1/me/likes': myList(async (a, b) => {
    const seller = await app.signup();
    const [mine, theirs] = [await createListing(app, seller), await createListing(app, seller)];
    await expectStatus(await app.request('PUT', `/v1/listings/${mine.id}/like`, { token: a.accessToken }), 200, 'like');
    await expectStatus(await app.request('PUT', `/v1/listings/${theirs.id}/like`, { token: b.accessToken }), 200, 'like');
    return { path: '/v1/me/likes', ownerItem: mine.id, otherItem: theirs.id, itemId: (item) => item.id };
  }),
  'POST /v1/listings/:id/purchase': onOthersListing('purchase', 'buy', undefined, (listingId) => worldOf(app, listingId), async (t, res, ids) => {
    t.like(res.body, ids);
    t.deepEqual(await sql(app, 'select buyer_id, seller_id from trades where listing_id = ?', [ids.listingId]), [{ buyer_id: ids.buyerId, seller_id: ids.sellerId }]);
  }),
  'GET /v1/trades/:id': {
    owner: 200,
    // 403, not 404: the app tells an outsider the trade exists (not-trade-party) but shows nothing
    // of it. Trade ids are random UUIDs handed only to the two parties, so existence is not secret.
    other: 403,
    anonymous: 401,
    scenarios: tradeScenarios((trade, listing) => ({
      call: (caller) => app.request('GET', `/v1/trades/${trade.id}`, { token: as(caller) }),
      state: () => worldOf(app, listing.id),
      allowed: (t, _p, res) => void t.is(res.body.id, trade.id),
    })),
  },
  'POST /v1/trades/:id/complete': settle('complete'),
  'POST /v1/trades/:id/cancel': settle('cancel'),
  'GET /v1/me/trades': myList(
    async (a, b) => {
      const seller = await app.signup();
      const [mine, theirs] = [await pendingTrade(app, seller, a), await pendingTrade(app, seller, b)];
      return { path: '/v1/me/trades?role=buyer', ownerItem: mine.trade.id, otherItem: theirs.trade.id, itemId: (item) => item.id };
    },
    {
      'each user sold one item': async (a, b) => {
        const buyer = await app.signup();
        const [mine, theirs] = [await pendingTrade(app, a, buyer), await pendingTrade(app, b, buyer)];
        return { path: '/v1/me/trades?role=seller', ownerItem: mine.trade.id, otherItem: theirs.trade.id, itemId: (item) => item.id };
      },
    },
  ),
  'POST /v1/auctions/:id/bids': onOthersAuction('bids', { amount: 10_000 }, async (t, res, bidder, auctionId) => {
    t.true(res.body.leading);
    t.deepEqual(await sql(app, 'select bidder_id from bids where auction_id = ?', [auctionId]), [{ bidder_id: bidder.id }]);
  }),
  'POST /v1/auctions/:id/buy-now': onOthersAuction('buy-now', undefined, async (t, res, buyer, auctionId) => {
    t.is(res.body.auction.leaderId, buyer.id);
    const [trade] = await sql(app, 'select t.buyer_id from trades t join auctions a on a.listing_id = t.listing_id where a.id = ?', [auctionId]);
    t.is(trade.buyer_id, buyer.id);
  }),
  'POST /v1/auctions/:id/cancel': {
    owner: 200, other: 403, anonymous: 401, why: 'the seller only (not-auction-seller)',
    scenarios: {
      'owner is the seller': async () => {
        const [a, b] = await users();
        const { auctionId, listingId } = await createAuction(app, a!);
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', `/v1/auctions/${auctionId}/cancel`, { token: as(caller), body: { reason: '판매 취소' } }),
          state: () => worldOf(app, listingId),
          allowed: (t, _p, res) => void t.like(res.body, { id: auctionId, outcome: 'cancelled' }),
        };
      },
    },
  },
  'POST /v1/listings/:id/relist': {
    owner: 201, other: 403, anonymous: 401, why: 'the seller only (not-listing-owner)',
    scenarios: {
      'an ended auction listing': async () => {
        const [a, b] = await users();
        const { listingId } = await endedAuction(a!);
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', `/v1/listings/${listingId}/relist`, { token: as(caller), body: { price: 20_000 } }),
          state: () => worldOf(app, listingId),
          allowed: (t, _p, res) => void t.like(res.body, { id: listingId, status: 'on_sale', price: 20_000 }),
        };
      },
    },
  },
  'POST /v1/auctions/:id/second-chance': {
    owner: 201, other: 403, anonymous: 401, why: 'the seller only (not-auction-seller); the runner-up is refused too',
    scenarios: {
      'owner is the seller, other the runner-up': async () => {
        const { seller, runnerUp, auctionId, listingId } = await fallenThrough();
        return {
          owner: seller, other: runnerUp,
          call: (caller) => app.request('POST', `/v1/auctions/${auctionId}/second-chance`, { token: as(caller) }),
          state: async () => ({ world: await worldOf(app, listingId), offers: await sql(app, 'select * from offers where auction_id = ?', [auctionId]) }),
          allowed: (t, _p, res) => void t.like(res.body, { buyerId: runnerUp.id, status: 'pending' }),
        };
      },
    },
  },
  'POST /v1/offers/:id/accept': {
    owner: 201, other: 403, anonymous: 401,
    why: 'only the party the offer waits for: the buyer of a second chance (not-offer-buyer; the seller is refused too), the seller of a price offer (the buyer is refused: not-offer-seller)',
    scenarios: {
      'owner is the seller of a price offer, other its buyer': async () => {
        const [seller, buyer] = await users();
        const offer = await priceOffer(seller!, buyer!);
        return {
          owner: seller!, other: buyer!,
          call: (caller) => app.request('POST', `/v1/offers/${offer.offerId}/accept`, { token: as(caller) }),
          state: async () => ({ world: await worldOf(app, offer.listingId), offers: await offersOf(offer.listingId) }),
          async allowed(t, _p, res) {
            const [trade] = await sql(app, 'select buyer_id, seller_id, price from trades where id = ?', [res.body.tradeId]);
            t.like(trade, { buyer_id: buyer!.id, seller_id: seller!.id });
          },
        };
      },
      'owner is the runner-up, other the seller': async () => {
        const { seller, runnerUp, offerId, listingId } = await secondChance();
        return {
          owner: runnerUp, other: seller,
          call: (caller) => app.request('POST', `/v1/offers/${offerId}/accept`, { token: as(caller) }),
          state: async () => ({ world: await worldOf(app, listingId), offers: await sql(app, 'select * from offers where id = ?', [offerId]) }),
          async allowed(t, _p, res) {
            const [trade] = await sql(app, 'select buyer_id from trades where id = ?', [res.body.tradeId]);
            t.is(trade.buyer_id, runnerUp.id);
          },
        };
      },
    },
  },
  'GET /v1/offers/:id': {
    owner: 200, other: 403, anonymous: 401, why: 'its buyer and its seller only (not-offer-party)',
    scenarios: {
      'owner is the runner-up, other a stranger': async () => {
        const { runnerUp, offerId } = await secondChance();
        const [stranger] = await users();
        return {
          owner: runnerUp, other: stranger!,
          call: (caller) => app.request('GET', `/v1/offers/${offerId}`, { token: as(caller) }),
          state: async () => null,
          allowed: (t, _p, res) => void t.is(res.body.offerId, offerId),
        };
      },
    },
  },
  'POST /v1/listings/:id/offers': onOthersListing(
    'offers',
    'offer on',
    { amount: 20_000 },
    async (listingId) => ({ world: await worldOf(app, listingId), offers: await offersOf(listingId) }),
    async (t, res, ids) => {
      t.like(res.body, { ...ids, kind: 'price' });
      t.deepEqual(await sql(app, 'select buyer_id, seller_id from offers where listing_id = ?', [ids.listingId]), [{ buyer_id: ids.buyerId, seller_id: ids.sellerId }]);
    },
  ),
  'POST /v1/offers/:id/decline': priceOfferStep('decline', 'seller', 200),
  'POST /v1/offers/:id/counter': priceOfferStep('counter', 'seller', 200, { amount: 25_000 }),
  'POST /v1/offers/:id/withdraw': priceOfferStep('withdraw', 'buyer', 200),
  'GET /v1/me/offers': myList(
    async (a, b) => {
      const seller = await app.signup();
      const [mine, theirs] = [await priceOffer(seller, a), await priceOffer(seller, b)];
      return { path: '/v1/me/offers?role=buyer', ownerItem: mine.offerId, otherItem: theirs.offerId, itemId: (item) => item.offerId };
    },
    {
      'each user received one offer': async (a, b) => {
        const buyer = await app.signup();
        const [mine, theirs] = [await priceOffer(a, buyer), await priceOffer(b, buyer)];
        return { path: '/v1/me/offers?role=seller', ownerItem: mine.offerId, otherItem: theirs.offerId, itemId: (item) => item.offerId };
      },
    },
  ),
  'POST /v1/uploads': {
    // An upload has no prior owner; it becomes the token's user's, and only they can attach it
    // (upload-not-yours, test/photos/bad-input.test.ts).
    owner: 201, other: null, anonymous: 401,
    scenarios: {
      'a photo upload': async () => {
        const [a, b] = await users();
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('POST', '/v1/uploads', { token: as(caller), body: { contentType: 'image/jpeg', size: 1234 } }),
          state: () => sql(app, 'select id, user_id, status from uploads where user_id in (?, ?) order by id', [a!.id, b!.id]),
          async allowed(t, _p, res) {
            t.deepEqual(await sql(app, 'select user_id, status from uploads where id = ?', [res.body.id]), [{ user_id: a!.id, status: 'pending' }]);
          },
        };
      },
    },
  },
  'PUT /v1/uploads/:id/content': {
    owner: null, other: null, anonymous: 204,
    why: 'public: the signed URL is the credential (local storage only; a forged or expired one is a 403, see test/photos/bad-input.test.ts)',
    scenarios: {
      'own upload URL': async () => {
        const [a, b] = await users();
        const target = await expectStatus(await app.request('POST', '/v1/uploads', { token: a!.accessToken, body: { contentType: 'image/jpeg', size: 16 } }), 201, 'upload');
        const path = new URL(target.body.url, app.baseUrl);
        return {
          owner: a!, other: b!,
          call: (caller) => app.request('PUT', path.pathname + path.search, { token: as(caller), headers: target.body.headers, raw: 'sixteen bytes ok' }),
          state: () => sql(app, 'select id, user_id, status, received_size from uploads where id = ?', [target.body.id]),
          async allowed(t) {
            t.deepEqual(await sql(app, 'select user_id, status from uploads where id = ?', [target.body.id]), [{ user_id: a!.id, status: 'uploaded' }]);
          },
        };
      },
    },
  },
  'GET /v1/me/bids': myList(async (a, b) => {
    const seller = await app.signup();
    const [mine, theirs] = [await createAuction(app, seller), await createAuction(app, seller)];
    await placeBid(app, a, mine.auctionId, { amount: 10_000 });
    await placeBid(app, b, theirs.auctionId, { amount: 10_000 });
    return { path: '/v1/me/bids', ownerItem: mine.auctionId, otherItem: theirs.auctionId, itemId: (item) => item.auction.id };
  }),
};

/** Function level (API5): Bull Board is mounted outside apiRoutes and is for the admin role only. */
const ADMIN_MATRIX: Record<string, Access> = {};
const makeAdmin = async (user: TestUser) => {
  await sql(app, `update users set role = 'admin' where id = ?`, [user.id]);
  return user;
};
interface AdminProbe {
  path: string;
  state(): Promise<unknown>;
  check(t: ExecutionContext, res: HttpResult): Promise<void> | void;
}
const ADMIN_PROBES: Record<string, () => AdminProbe> = {
  'GET /admin/queues': () => ({ path: '/admin/queues', state: async () => null, check: (t, res) => void t.regex(res.headers.get('content-type') ?? '', /text\/html/) }),
  'GET /admin/queues/api/queues': () => ({
    path: '/admin/queues/api/queues',
    state: async () => null,
    check: (t, res) => void t.true(Array.isArray(res.body.queues), 'the board’s queue data'),
  }),
  'PUT /admin/queues/api/queues/:queueName/pause': () => ({
    path: '/admin/queues/api/queues/maintenance/pause',
    state: () => app.deps.jobs.queues.maintenance.isPaused(),
    check: async (t) => {
      t.true(await app.deps.jobs.queues.maintenance.isPaused());
      t.teardown(() => app.deps.jobs.queues.maintenance.resume());
    },
  }),
};
for (const [key, make] of Object.entries(ADMIN_PROBES)) {
  const method = key.split(' ')[0]!;
  ADMIN_MATRIX[key] = {
    owner: 200,
    other: 403,
    anonymous: 401,
    why: 'owner = a user with the admin role; other = an ordinary user',
    scenarios: {
      'admin and ordinary user': async () => {
        const [a, b] = await users();
        const { path, state, check } = make();
        return {
          owner: await makeAdmin(a!),
          other: b!,
          call: (caller) => app.request(method, path, { token: as(caller) }),
          state,
          allowed: (t, _p, res) => check(t, res),
        };
      },
    },
  };
}

test('the matrix names exactly the write routes and the auth-required reads of apiRoutes', (t) => {
  const routes = apiRoutes(app.deps);
  const guarded = routes.filter((r) => r.spec.method !== 'get' || r.spec.auth === 'required').map((r) => routeKey(r.spec));
  t.deepEqual(Object.keys(MATRIX).sort(), guarded.sort(), 'add an entry for the new route (or remove the stale one)');
  // The declared auth agrees with the expectation: 401 for anonymous exactly where it is required.
  for (const route of routes) {
    const entry = MATRIX[routeKey(route.spec)];
    if (entry) t.is(entry.anonymous === 401, route.spec.auth === 'required', routeKey(route.spec));
  }
});

async function runScenario(t: ExecutionContext, key: string, access: Access, arrange: () => Promise<Arranged>) {
  const write = !key.startsWith('GET ');
  const arranged = await arrange();
  const before = await arranged.state();
  const callers: Record<Party, TestUser | undefined> = { owner: arranged.owner, other: arranged.other, anonymous: undefined };
  const refused = (['anonymous', 'owner', 'other'] as const).filter((p) => access[p] !== null && access[p]! >= 400);
  const allowed = (['anonymous', 'other', 'owner'] as const).filter((p) => access[p] !== null && access[p]! < 400);
  for (const party of refused) {
    const res = await arranged.call(callers[party]);
    assertProblem(t, res, access[party]!, null, `${key} as ${party}`);
    t.deepEqual(await arranged.state(), before, `${key} as ${party} changed nothing`);
  }
  for (const party of allowed) {
    const res = await arranged.call(callers[party]);
    t.is(res.status, access[party]!, `${key} as ${party}: ${JSON.stringify(res.body)}`);
    await arranged.allowed?.(t, party, res);
  }
  if (write && allowed.length) t.notDeepEqual(await arranged.state(), before, `${key}: the allowed call shows in the compared rows`);
}

for (const [key, access] of Object.entries({ ...MATRIX, ...ADMIN_MATRIX })) {
  for (const [label, arrange] of Object.entries(access.scenarios)) {
    const who = (['owner', 'other', 'anonymous'] as const).map((p) => `${p} ${access[p] ?? '–'}`).join(', ');
    test(`${key} (${label}): ${who}`, (t) => runScenario(t, key, access, arrange));
  }
}

test('admin paths cannot be reached around the admin check by spelling the path differently', async (t) => {
  const user = await app.signup();
  for (const path of ['/admin', '/admin/', '/admin/queues/', '/admin/queues/api/queues?x=1']) {
    assertProblem(t, await app.request('GET', path), 401, null, `${path} anonymous`);
    assertProblem(t, await app.request('GET', path, { token: user.accessToken }), 403, null, `${path} as a user`);
  }
  // Another spelling is not routed to the board at all (the mount is case- and slash-exact).
  for (const path of ['/ADMIN/queues', '/Admin/queues/api/queues', '//admin/queues', '/admin%2Fqueues', '/%61dmin/queues']) {
    const res = await app.request('GET', path, { token: user.accessToken });
    t.true(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
    t.false(JSON.stringify(res.body).includes('queues":'), `${path} shows no queue data`);
  }
});

test('a demoted admin loses the board on the next request', async (t) => {
  const admin = await makeAdmin(await app.signup());
  t.is((await app.request('GET', '/admin/queues/api/queues', { token: admin.accessToken })).status, 200);
  await sql(app, `update users set role = 'user' where id = ?`, [admin.id]);
  assertProblem(t, await app.request('GET', '/admin/queues/api/queues', { token: admin.accessToken }), 403, null, 'demoted');
});
