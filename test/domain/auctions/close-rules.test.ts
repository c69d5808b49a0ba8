import test from 'ava';
import { resolveClose } from '../../../domain/auctions/close-rules.ts';
import { anAuction, ENDS_AT, MIDWAY, seconds } from './fixtures.ts';

const led = { leaderId: 'alice', leaderMaxAmount: 40_000, currentPrice: 30_000, bidCount: 3 };

test('an auction is not closed before its end', (t) => {
  t.deepEqual(resolveClose(anAuction(led), seconds(ENDS_AT, -0.001)), { result: 'not-due' });
});

test('an auction already closed is left alone', (t) => {
  t.deepEqual(resolveClose(anAuction({ status: 'closed', outcome: 'sold' }), seconds(ENDS_AT, 10)), { result: 'already-closed' });
  t.deepEqual(resolveClose(anAuction({ status: 'closed', outcome: 'cancelled' }), MIDWAY), { result: 'already-closed' });
});

test('at its end an auction with a leader and no reserve is sold to the leader at the current price', (t) => {
  const decision = resolveClose(anAuction(led), ENDS_AT);
  t.like(decision, { result: 'closed', outcome: 'sold', winnerId: 'alice', reserveMet: true, unsoldReason: null });
  if (decision.result !== 'closed') return t.fail();
  t.like(decision.next, { status: 'closed', outcome: 'sold', leaderId: 'alice', currentPrice: 30_000, endsAt: ENDS_AT });
});

test('an auction whose stored status lags behind is still closed once due', (t) => {
  t.like(resolveClose(anAuction({ ...led, status: 'scheduled' }), seconds(ENDS_AT, 3600)), { result: 'closed', outcome: 'sold' });
});

test('an auction without bids closes unsold', (t) => {
  const decision = resolveClose(anAuction(), ENDS_AT);
  t.like(decision, { result: 'closed', outcome: 'unsold', winnerId: null, reserveMet: true, unsoldReason: 'no-bids' });
  if (decision.result !== 'closed') return t.fail();
  t.like(decision.next, { status: 'closed', outcome: 'unsold' });
  t.like(resolveClose(anAuction({ reservePrice: 50_000 }), ENDS_AT), { outcome: 'unsold', reserveMet: false, unsoldReason: 'no-bids' });
});

test('an auction whose price stayed below the reserve closes unsold, saying the reserve was not met', (t) => {
  const decision = resolveClose(anAuction({ ...led, reservePrice: 30_001 }), ENDS_AT);
  t.like(decision, { result: 'closed', outcome: 'unsold', winnerId: null, reserveMet: false, unsoldReason: 'reserve-not-met' });
});

test('an auction whose price reached the reserve is sold', (t) => {
  t.like(resolveClose(anAuction({ ...led, reservePrice: 30_000 }), ENDS_AT), { outcome: 'sold', winnerId: 'alice', reserveMet: true });
});
