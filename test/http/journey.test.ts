import test from 'ava';
import { startTestApi, type TestApi } from '../support/api.ts';

let app: TestApi;
test.before(async () => {
  app = await startTestApi('journey');
});
test.after.always(async () => {
  await app?.close();
});

test('a seller lists an item, a buyer finds it by a Korean word, likes it and buys it, all over HTTP', async (t) => {
  const seller = await app.signup({ nickname: '판매자' });
  const buyer = await app.signup({ nickname: '구매자' });

  const listing = await app.request('POST', '/v1/listings', {
    token: seller.accessToken,
    body: { title: '캠핑의자 두 개 팝니다', description: '한 번 썼어요. 직거래 원해요.', categoryId: 8, price: 35_000 },
  });
  t.is(listing.status, 201);

  // "의자" sits inside the compound 캠핑의자; "직거래" is followed by nothing, "원해요" is a verb form.
  const found = await app.request('GET', `/v1/listings?q=${encodeURIComponent('의자')}`, { token: buyer.accessToken });
  t.is(found.status, 200);
  t.deepEqual(found.body.items.map((i: { id: string }) => i.id), [listing.body.id]);

  const liked = await app.request('PUT', `/v1/listings/${listing.body.id}/like`, { token: buyer.accessToken });
  t.like(liked.body, { liked: true, likeCount: 1 });
  t.deepEqual((await app.request('GET', '/v1/me/likes', { token: buyer.accessToken })).body.items.map((i: { id: string }) => i.id), [listing.body.id]);

  const trade = await app.request('POST', `/v1/listings/${listing.body.id}/purchase`, { token: buyer.accessToken });
  t.is(trade.status, 201);
  t.like(trade.body, { buyerId: buyer.id, sellerId: seller.id, price: 35_000, status: 'pending' });
  t.is((await app.request('GET', `/v1/listings/${listing.body.id}`)).body.status, 'reserved');

  const done = await app.request('POST', `/v1/trades/${trade.body.id}/complete`, { token: seller.accessToken });
  t.is(done.body.status, 'completed');
  t.is((await app.request('GET', `/v1/listings/${listing.body.id}`)).body.status, 'sold');
  t.deepEqual((await app.request('GET', '/v1/me/trades?role=seller', { token: seller.accessToken })).body.items.map((i: { id: string }) => i.id), [trade.body.id]);
});
