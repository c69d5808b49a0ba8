import test from 'ava';
import {
  cancelNotices,
  closeNotices,
  DELIVERY,
  endingSoonNotice,
  keywordMatchNotice,
  newMessageNotice,
  OUTBID_WINDOW_MS,
  outbidNotice,
  priceOfferNotice,
  RESENT_AFTER_INTERRUPTION,
  reviewPromptNotice,
  secondChanceNotice,
  tradeCancelledNotice,
  tradeExpiredNotice,
} from '../../../domain/notifications/notices.ts';

/**
 * Who hears what, under which dedupe key: a key names the kind, the subject and the recipient, so a
 * repeated change writes nothing twice, and two different notices never share one.
 */
const base = { auctionId: 'a1', sellerId: 'seller', price: 30_000, bidderIds: ['alice', 'bob', 'carol'] };

test('a sale tells the winner and the seller by SMS, and every other bidder that they lost, in the inbox only', (t) => {
  const notices = closeNotices({ ...base, outcome: 'sold', winnerId: 'alice', unsoldReason: null });
  t.deepEqual(
    notices.map((n) => [n.kind, n.userId, n.dedupeKey, n.sms, n.data]),
    [
      ['auction_won', 'alice', 'auction_won:a1:alice', true, { price: 30_000 }],
      ['auction_sold', 'seller', 'auction_sold:a1:seller', true, { price: 30_000 }],
      ['auction_lost', 'bob', 'auction_lost:a1:bob', false, { price: 30_000 }],
      ['auction_lost', 'carol', 'auction_lost:a1:carol', false, { price: 30_000 }],
    ],
  );
  for (const n of notices) t.like(n, { auctionId: 'a1', listingId: null });
});

test('no sale tells the seller why by SMS, and the bidders they did not win, without a price', (t) => {
  const reserve = closeNotices({ ...base, outcome: 'unsold', winnerId: null, unsoldReason: 'reserve-not-met' });
  t.deepEqual(
    reserve.map((n) => [n.kind, n.userId, n.sms, n.data]),
    [
      ['auction_unsold', 'seller', true, { reason: 'reserve-not-met' }],
      ['auction_lost', 'alice', false, {}],
      ['auction_lost', 'bob', false, {}],
      ['auction_lost', 'carol', false, {}],
    ],
  );
  t.deepEqual(closeNotices({ ...base, bidderIds: [], outcome: 'unsold', winnerId: null, unsoldReason: null }).map((n) => [n.dedupeKey, n.data]), [
    ['auction_unsold:a1:seller', { reason: 'no-bids' }],
  ]);
});

test('a cancel tells every bidder by SMS', (t) => {
  t.deepEqual(
    cancelNotices('a1', ['alice', 'bob']).map((n) => [n.kind, n.userId, n.dedupeKey, n.sms, n.data]),
    [
      ['auction_cancelled', 'alice', 'auction_cancelled:a1:alice', true, {}],
      ['auction_cancelled', 'bob', 'auction_cancelled:a1:bob', true, {}],
    ],
  );
});

test('outbid notices share a key within a 10-minute window and differ across it', (t) => {
  t.is(OUTBID_WINDOW_MS, 600_000);
  const start = new Date('2026-12-01T10:00:00.000Z');
  const key = (ms: number) => outbidNotice('a1', 'bob', 20_000, new Date(start.getTime() + ms)).dedupeKey;
  t.is(key(0), `outbid:a1:bob:${start.getTime() / 600_000}`);
  t.is(key(599_999), key(0));
  t.not(key(600_000), key(0));
  t.like(outbidNotice('a1', 'bob', 20_000, start), { kind: 'outbid', userId: 'bob', auctionId: 'a1', sms: true, data: { price: 20_000 } });
});

test('ending soon is once per auction and liker', (t) => {
  t.like(endingSoonNotice('a1', 'liker', 15_000, 10), { kind: 'ending_soon', dedupeKey: 'ending_soon:a1:liker', sms: true, data: { price: 15_000, minutes: 10 } });
});

test('trade notices name the trade and the recipient, and go by SMS', (t) => {
  t.deepEqual(tradeCancelledNotice('t1', 'l1', 'bob', 9_000), {
    userId: 'bob', auctionId: null, listingId: 'l1', kind: 'trade_cancelled', dedupeKey: 'trade_cancelled:t1:bob', data: { price: 9_000 }, sms: true,
  });
  t.deepEqual(tradeExpiredNotice('t1', 'l1', 'bob', 9_000), {
    userId: 'bob', auctionId: null, listingId: 'l1', kind: 'trade_expired', dedupeKey: 'trade_expired:t1:bob', data: { price: 9_000 }, sms: true,
  });
});

test('a second chance names its offer and runs out when the offer does', (t) => {
  const expiresAt = new Date('2026-12-03T10:00:00.000Z');
  t.deepEqual(secondChanceNotice({ id: 'o1', auctionId: 'a1', listingId: 'l1', buyerId: 'bob', amount: 11_000, expiresAt }), {
    userId: 'bob', auctionId: 'a1', listingId: 'l1', offerId: 'o1', kind: 'second_chance_offer', dedupeKey: 'second_chance_offer:o1:bob',
    data: { price: 11_000, expiresAt: expiresAt.toISOString() }, sms: true,
  });
});

test('a chat message is one inbox item per conversation and read mark, never an SMS', (t) => {
  const mark = new Date('2026-12-01T10:00:00.000Z');
  const notice = (readMark: Date | null) => newMessageNotice({ conversationId: 'c1', listingId: 'l1', recipientId: 'bob', readMark, senderNickname: '판매자' });
  t.deepEqual(notice(mark), {
    userId: 'bob', auctionId: null, listingId: 'l1', kind: 'new_message', dedupeKey: `new_message:c1:bob:${mark.getTime()}`,
    data: { conversationId: 'c1', senderNickname: '판매자' }, sms: false,
  });
  t.is(notice(null).dedupeKey, 'new_message:c1:bob:0');
});

test('price offer steps: one per kind, offer and recipient; only an acceptance is texted', (t) => {
  t.deepEqual(priceOfferNotice('offer_accepted', { id: 'o1', listingId: 'l1' }, 'bob', { price: 40_000 }), {
    userId: 'bob', auctionId: null, listingId: 'l1', offerId: 'o1', kind: 'offer_accepted', dedupeKey: 'offer_accepted:o1:bob', data: { price: 40_000 }, sms: true,
  });
  for (const kind of ['offer_received', 'offer_declined', 'offer_countered', 'offer_withdrawn', 'offer_expired'] as const) {
    t.like(priceOfferNotice(kind, { id: 'o1', listingId: 'l1' }, 'bob', {}), { kind, dedupeKey: `${kind}:o1:bob`, sms: false });
  }
});

test('review prompts and keyword matches are inbox only, once per trade or listing time and user', (t) => {
  t.deepEqual(reviewPromptNotice({ id: 't1', listingId: 'l1' }, 'bob'), {
    userId: 'bob', auctionId: null, listingId: 'l1', kind: 'review_prompt', dedupeKey: 'review_prompt:t1:bob', data: { tradeId: 't1' }, sms: false,
  });
  const listedAt = new Date('2026-12-01T10:00:00.000Z');
  t.deepEqual(keywordMatchNotice({ listingId: 'l1', listedAt, userId: 'bob', keyword: '의자' }), {
    userId: 'bob', auctionId: null, listingId: 'l1', kind: 'keyword_match', dedupeKey: `keyword_match:l1:${listedAt.getTime()}:bob`, data: { keyword: '의자' }, sms: false,
  });
});

test('an interrupted send is resent only for the notices someone must act on: the winner’s, the seller’s and an accepted offer', (t) => {
  t.deepEqual([...RESENT_AFTER_INTERRUPTION].sort(), ['auction_sold', 'auction_won', 'offer_accepted']);
  t.deepEqual(
    Object.entries(DELIVERY).filter(([, d]) => d.sms).map(([kind]) => kind).sort(),
    ['auction_cancelled', 'auction_sold', 'auction_unsold', 'auction_won', 'ending_soon', 'offer_accepted', 'outbid', 'second_chance_offer', 'trade_cancelled', 'trade_expired'],
  );
});
