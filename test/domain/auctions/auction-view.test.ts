import test from 'ava';
import { publicAuctionView } from '../../../domain/auctions/auction-view.ts';
import { anAuction, ENDS_AT, MIDWAY, STARTS_AT, seconds } from './fixtures.ts';

const led = anAuction({ leaderId: 'alice', leaderMaxAmount: 87_654, currentPrice: 30_000, bidCount: 3, reservePrice: 76_543, buyNowPrice: 90_000 });

test('the public view never reveals the leader maximum or the reserve amount', (t) => {
  const view = publicAuctionView(led, MIDWAY);
  t.false('leaderMaxAmount' in view);
  t.false('reservePrice' in view);
  const shown = JSON.stringify(view);
  t.false(shown.includes('87654'));
  t.false(shown.includes('76543'));
});

test('the public view shows the clock-judged status and the next minimum bid', (t) => {
  t.like(publicAuctionView(led, MIDWAY), { status: 'open', minimumBid: 31_000, currentPrice: 30_000, bidCount: 3, leaderId: 'alice', endsAt: ENDS_AT });
  t.is(publicAuctionView(led, ENDS_AT).status, 'closed');
  t.is(publicAuctionView(anAuction({ status: 'scheduled' }), seconds(STARTS_AT, -1)).status, 'scheduled');
  t.is(publicAuctionView(anAuction(), MIDWAY).minimumBid, 10_000);
});

test('the public view says whether buy-now is still possible', (t) => {
  t.true(publicAuctionView(led, MIDWAY).buyNowAvailable);
  t.false(publicAuctionView(led, ENDS_AT).buyNowAvailable);
  t.false(publicAuctionView(anAuction(), MIDWAY).buyNowAvailable);
  t.false(publicAuctionView(anAuction({ ...led, currentPrice: 90_000 }), MIDWAY).buyNowAvailable);
});

test('the public view says whether a reserve exists and is met, not what it is', (t) => {
  t.is(publicAuctionView(anAuction(), MIDWAY).reserveMet, null);
  t.is(publicAuctionView(led, MIDWAY).reserveMet, false);
  t.is(publicAuctionView(anAuction({ ...led, currentPrice: 76_543 }), MIDWAY).reserveMet, true);
  t.is(publicAuctionView(anAuction({ reservePrice: 10_000 }), MIDWAY).reserveMet, false);
});
