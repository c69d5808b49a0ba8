import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { startTestApi, type TestApi, type TestUser } from '../support/api.ts';
import { createListing, type ListingFields } from '../support/listings.ts';
import { assertProblem } from '../support/problems.ts';

let app: TestApi;
/** One seller's listings with Korean and English text; word-matching tests search within them. */
let corpusSeller: TestUser;
const corpus: Record<string, { id: string; title: string }> = {};

const CORPUS = {
  bag: { title: '명품가방 팝니다', description: '정품 보증서 있어요', categoryId: 6, price: 500_000 },
  iphone: { title: '아이폰 15 프로 판매', description: '배터리 성능 98%, 케이스 드려요', categoryId: 1, price: 1_200_000 },
  iphoneParticle: { title: '아이폰을 팔아요', description: '액정 깨짐 없음', categoryId: 1, price: 700_000 },
  chairs: { title: '캠핑 의자 두 개', description: '접이식이고 한 번 사용했습니다', categoryId: 8, price: 30_000 },
  carSeat: { title: '유아용 카시트', description: '아이가 커서 팝니다', categoryId: 4, price: 80_000 },
  leica: { title: 'Vintage Leica camera', description: 'Works perfectly, with the original strap', categoryId: 9, price: 2_500_000 },
} as const;
type CorpusKey = keyof typeof CORPUS;

test.before(async () => {
  app = await startTestApi('search');
  corpusSeller = await app.signup({ nickname: '코퍼스' });
  for (const [key, body] of Object.entries(CORPUS)) corpus[key] = await createListing(app, corpusSeller, body);
});
test.after.always(async () => {
  await app?.close();
});


type Listing = { id: string; title: string; price: number; status: string; categoryId: number; sellerId: string; createdAt: string; likedByMe: boolean | null };

async function search(t: ExecutionContext, params: Record<string, string | number>, token?: string) {
  const res = await app.request('GET', `/v1/listings?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`, { token });
  t.is(res.status, 200, JSON.stringify(res.body));
  return res.body as { items: Listing[]; nextCursor: string | null };
}

/** Titles matching `q` among the corpus seller's listings, sorted for comparison. */
async function corpusMatches(t: ExecutionContext, q: string): Promise<string[]> {
  const page = await search(t, { q, sellerId: corpusSeller.id, limit: 100 });
  return page.items.map((item) => item.title).sort();
}

const titles = (...keys: CorpusKey[]) => keys.map((key) => CORPUS[key].title).sort();

/** A word no other listing contains, so a test can find exactly what it created. */
const uniqueWord = () => `zq${randomBytes(5).toString('hex')}`;

/** A listing with nothing to find but what `fields` say: no description, category 15, 10,000 won. */
const plain = (fields: ListingFields) => ({ description: '', categoryId: 15, price: 10_000, ...fields });

/** Follows nextCursor to the end and returns every page. */
async function walk(t: ExecutionContext, params: Record<string, string | number>, token?: string) {
  const pages: Listing[][] = [];
  let cursor: string | null = null;
  do {
    const page = await search(t, cursor ? { ...params, cursor } : params, token);
    pages.push(page.items);
    cursor = page.nextCursor;
    if (pages.length > 100) throw new Error('the cursor never ends');
  } while (cursor);
  return pages;
}

// ---------------------------------------------------------------------------------------------
// Matching words

test('a whole Korean word matches, in the title or in the description', async (t) => {
  t.deepEqual(await corpusMatches(t, '카시트'), titles('carSeat'));
  t.deepEqual(await corpusMatches(t, '캠핑'), titles('chairs'));
  t.deepEqual(await corpusMatches(t, '의자'), titles('chairs'));
  t.deepEqual(await corpusMatches(t, '보증서'), titles('bag'));
  // 팝니다 is in one title and in another listing's description.
  t.deepEqual(await corpusMatches(t, '팝니다'), titles('bag', 'carSeat'));
});

test('a word followed by a particle is found by the bare word', async (t) => {
  // '아이폰을' has the object particle 을; '아이가' (in the car seat's description) must not match.
  t.deepEqual(await corpusMatches(t, '아이폰'), titles('iphone', 'iphoneParticle'));
  t.deepEqual(await corpusMatches(t, '아이폰을'), titles('iphoneParticle'));
});

test('a word inside a compound is found', async (t) => {
  t.deepEqual(await corpusMatches(t, '가방'), titles('bag'));
  t.deepEqual(await corpusMatches(t, '명품'), titles('bag'));
  t.deepEqual(await corpusMatches(t, '명품가방'), titles('bag'));
  t.deepEqual(await corpusMatches(t, '시트'), titles('carSeat'));
});

test('several words must all match', async (t) => {
  t.deepEqual(await corpusMatches(t, '아이폰 프로'), titles('iphone'));
  t.deepEqual(await corpusMatches(t, '프로 아이폰'), titles('iphone'));
  t.deepEqual(await corpusMatches(t, '아이폰 케이스'), titles('iphone'));
  t.deepEqual(await corpusMatches(t, '캠핑   의자'), titles('chairs'));
  t.deepEqual(await corpusMatches(t, '아이폰 가방'), []);
  t.deepEqual(await corpusMatches(t, '카시트 캠핑'), []);
  t.deepEqual(await corpusMatches(t, 'vintage camera strap'), titles('leica'));
  t.deepEqual(await corpusMatches(t, 'leica nikon'), []);
});

test('no false positives: unrelated words and near misses find nothing', async (t) => {
  for (const q of ['자전거', '냉장고', '가방끈', '아이패드', 'iphone', 'canon', 'leicas', '명품지갑']) {
    t.deepEqual(await corpusMatches(t, q), [], q);
  }
});

test('English matches whatever the case', async (t) => {
  for (const q of ['leica', 'LEICA', 'Leica', 'LeIcA', 'vintage', 'CAMERA', 'Perfectly']) {
    t.deepEqual(await corpusMatches(t, q), titles('leica'), q);
  }
});

test('numbers are words too', async (t) => {
  t.deepEqual(await corpusMatches(t, '15'), titles('iphone'));
  t.deepEqual(await corpusMatches(t, '아이폰 15'), titles('iphone'));
});

test('a query of punctuation or quotes is answered, not a 500', async (t) => {
  for (const q of ["'", "a'b", '!!!', '\\', '&|!:*', '가방 & 아이폰', "'; drop table listings; --", '(가방)', '가방:*']) {
    const res = await app.request('GET', `/v1/listings?q=${encodeURIComponent(q)}&sellerId=${corpusSeller.id}`);
    t.is(res.status, 200, q);
  }
  // Operators in the query are not operators: '가방 | 아이폰' is not an OR.
  t.deepEqual(await corpusMatches(t, '가방 | 아이폰'), []);
  t.deepEqual(await corpusMatches(t, '(가방)'), titles('bag'));
  t.is((await app.request('GET', '/v1/listings?limit=1')).status, 200);
});

test('a query is matched across all sellers, and a unique word finds exactly its listings', async (t) => {
  const word = uniqueWord();
  const sellers = [await app.signup(), await app.signup()];
  const mine = [
    await createListing<Listing>(app, sellers[0]!, plain({ title: `${word} 자전거 팝니다` })),
    await createListing<Listing>(app, sellers[1]!, plain({ title: '자전거 헬멧', description: `${word.toUpperCase()} 사이즈 M` })),
  ];
  await createListing<Listing>(app, sellers[0]!, plain({ title: '자전거 자물쇠' }));
  const page = await search(t, { q: word, limit: 100 });
  t.deepEqual(page.items.map((item) => item.id).sort(), mine.map((listing) => listing.id).sort());
  const both = await search(t, { q: `자전거 ${word} 헬멧`, limit: 100 });
  t.deepEqual(both.items.map((item) => item.id), [mine[1]!.id]);
  // A word inside the unique token is found too (the token is one word written without spaces).
  const inside = await search(t, { q: word.slice(3), limit: 100 });
  t.deepEqual(inside.items.map((item) => item.id).sort(), mine.map((listing) => listing.id).sort());
});

test('an edited title is searchable under its new words only', async (t) => {
  const seller = await app.signup();
  const before = uniqueWord();
  const after = uniqueWord();
  const listing = await createListing<Listing>(app, seller, plain({ title: `${before} 책상` }));
  t.is((await search(t, { q: before })).items.length, 1);
  t.is((await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { title: `${after} 책상` } })).status, 200);
  t.deepEqual((await search(t, { q: before })).items, []);
  t.deepEqual((await search(t, { q: after })).items.map((item) => item.id), [listing.id]);
});

// ---------------------------------------------------------------------------------------------
// Filters

test('filters: categoryId, status, saleType, sellerId, minPrice and maxPrice, alone and together', async (t) => {
  const word = uniqueWord();
  const seller = await app.signup();
  const other = await app.signup();
  const made = {
    phone: await createListing<Listing>(app, seller, plain({ title: `${word} 휴대폰`, categoryId: 1, price: 100_000 })),
    tv: await createListing<Listing>(app, seller, plain({ title: `${word} 티비`, categoryId: 2, price: 300_000 })),
    sofa: await createListing<Listing>(app, seller, plain({ title: `${word} 소파`, categoryId: 3, price: 50_000 })),
    lamp: await createListing<Listing>(app, seller, plain({ title: `${word} 조명`, categoryId: 3, price: 100_001 })),
    laptop: await createListing<Listing>(app, other, plain({ title: `${word} 노트북`, categoryId: 1, price: 99_999 })),
  };
  const setStatus = async (listing: Listing, status: string) =>
    t.is((await app.request('PATCH', `/v1/listings/${listing.id}`, { token: seller.accessToken, body: { status } })).status, 200);
  await setStatus(made.tv, 'reserved');
  await setStatus(made.sofa, 'sold');

  const found = async (params: Record<string, string | number>) =>
    (await search(t, { q: word, limit: 100, ...params })).items.map((item) => item.id).sort();
  const ids = (...listings: Listing[]) => listings.map((listing) => listing.id).sort();

  t.deepEqual(await found({}), ids(...Object.values(made)));
  t.deepEqual(await found({ categoryId: 1 }), ids(made.phone, made.laptop));
  t.deepEqual(await found({ categoryId: 3 }), ids(made.sofa, made.lamp));
  t.deepEqual(await found({ categoryId: 14 }), []);
  t.deepEqual(await found({ status: 'on_sale' }), ids(made.phone, made.lamp, made.laptop));
  t.deepEqual(await found({ status: 'reserved' }), ids(made.tv));
  t.deepEqual(await found({ status: 'sold' }), ids(made.sofa));
  t.deepEqual(await found({ saleType: 'fixed' }), ids(...Object.values(made)));
  t.deepEqual(await found({ saleType: 'auction' }), []);
  t.deepEqual(await found({ sellerId: seller.id }), ids(made.phone, made.tv, made.sofa, made.lamp));
  t.deepEqual(await found({ sellerId: other.id }), ids(made.laptop));
  // Price bounds are inclusive.
  t.deepEqual(await found({ minPrice: 100_000 }), ids(made.phone, made.tv, made.lamp));
  t.deepEqual(await found({ maxPrice: 100_000 }), ids(made.phone, made.sofa, made.laptop));
  t.deepEqual(await found({ minPrice: 100_000, maxPrice: 100_000 }), ids(made.phone));
  t.deepEqual(await found({ minPrice: 99_999, maxPrice: 100_001 }), ids(made.phone, made.lamp, made.laptop));
  t.deepEqual(await found({ minPrice: 200_000, maxPrice: 100_000 }), []);
  t.deepEqual(await found({ categoryId: 1, status: 'on_sale', sellerId: seller.id, maxPrice: 100_000 }), ids(made.phone));
  t.deepEqual(await found({ categoryId: 3, status: 'on_sale' }), ids(made.lamp));

  // Filters without a query work too.
  const bySeller = await search(t, { sellerId: other.id });
  t.deepEqual(bySeller.items.map((item) => item.id), [made.laptop.id]);
});

test('likedByMe in search results is null anonymously and true or false for a caller', async (t) => {
  const word = uniqueWord();
  const seller = await app.signup();
  const fan = await app.signup();
  const liked = await createListing<Listing>(app, seller, plain({ title: `${word} 좋아요` }));
  const notLiked = await createListing<Listing>(app, seller, plain({ title: `${word} 그냥` }));
  t.is((await app.request('PUT', `/v1/listings/${liked.id}/like`, { token: fan.accessToken })).status, 200);
  const anonymous = await search(t, { q: word });
  t.true(anonymous.items.every((item) => item.likedByMe === null));
  const mine = await search(t, { q: word }, fan.accessToken);
  t.is(mine.items.find((item) => item.id === liked.id)!.likedByMe, true);
  t.is(mine.items.find((item) => item.id === notLiked.id)!.likedByMe, false);
});

// ---------------------------------------------------------------------------------------------
// Sorting and paging

const PRICES = [5_000, 1_000, 3_000, 1_000, 5_000, 2_000, 1_000, 4_000, 3_000, 5_000, 1_000];

/** A seller with listings at PRICES, including ties, returned in creation order. */
async function pricedListings() {
  const seller = await app.signup();
  const word = uniqueWord();
  const made: Listing[] = [];
  for (const [i, price] of PRICES.entries()) made.push(await createListing<Listing>(app, seller, plain({ title: `${word} 물건 ${i}`, price })));
  return { seller, word, made };
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const ORDERS = {
  newest: (a: Listing, b: Listing) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || compareIds(b.id, a.id),
  price_asc: (a: Listing, b: Listing) => a.price - b.price || compareIds(a.id, b.id),
  price_desc: (a: Listing, b: Listing) => b.price - a.price || compareIds(b.id, a.id),
} as const;

test('sorts: newest (the default), price_asc and price_desc, with ties broken by id', async (t) => {
  const { seller, made } = await pricedListings();
  for (const sort of ['newest', 'price_asc', 'price_desc'] as const) {
    const page = await search(t, { sellerId: seller.id, sort, limit: 100 });
    t.is(page.items.length, made.length);
    t.deepEqual(
      page.items.map((item) => item.id),
      [...made].sort(ORDERS[sort]).map((item) => item.id),
      sort,
    );
  }
  const byDefault = await search(t, { sellerId: seller.id, limit: 100 });
  // Created one after another, so newest first is the reverse of creation order.
  t.deepEqual(
    byDefault.items.map((item) => item.id),
    [...made].reverse().map((item) => item.id),
  );
  const ascending = (await search(t, { sellerId: seller.id, sort: 'price_asc', limit: 100 })).items.map((item) => item.price);
  t.deepEqual(ascending, [...PRICES].sort((a, b) => a - b));
});

for (const sort of ['newest', 'price_asc', 'price_desc'] as const) {
  test(`keyset pages in ${sort} order walk every match exactly once`, async (t) => {
    const { seller, word, made } = await pricedListings();
    const expected = [...made].sort(ORDERS[sort]).map((item) => item.id);
    for (const limit of [1, 2, 3, 4, 11, 12]) {
      for (const scope of [{ sellerId: seller.id }, { q: word }] as Record<string, string>[]) {
        const pages = await walk(t, { ...scope, sort, limit });
        t.deepEqual(
          pages.flat().map((item) => item.id),
          expected,
          `${sort} limit ${limit}`,
        );
        t.is(pages.length, Math.ceil(made.length / limit), `${sort} limit ${limit}: no empty last page`);
        t.true(pages.every((page) => page.length <= limit));
      }
    }
  });
}

test('keyset pages with a filter stay inside the filter', async (t) => {
  const { seller, made } = await pricedListings();
  const pages = await walk(t, { sellerId: seller.id, sort: 'price_desc', limit: 2, maxPrice: 3_000 });
  t.deepEqual(
    pages.flat().map((item) => item.id),
    made
      .filter((item) => item.price <= 3_000)
      .sort(ORDERS.price_desc)
      .map((item) => item.id),
  );
});

test('newest-first paging neither repeats nor skips when listings are added between pages', async (t) => {
  const { seller, made } = await pricedListings();
  const first = await search(t, { sellerId: seller.id, limit: 4 });
  await createListing<Listing>(app, seller, plain({ title: '나중에 올린 물건' }));
  const rest = await walk(t, { sellerId: seller.id, limit: 4, cursor: first.nextCursor! });
  t.deepEqual(
    [...first.items, ...rest.flat()].map((item) => item.id),
    [...made].reverse().map((item) => item.id),
  );
});

test('price paging neither repeats nor skips when a listing is repriced between pages', async (t) => {
  const { seller, made } = await pricedListings();
  const expected = [...made].sort(ORDERS.price_asc);
  const first = await search(t, { sellerId: seller.id, sort: 'price_asc', limit: 5 });
  t.deepEqual(
    first.items.map((item) => item.id),
    expected.slice(0, 5).map((item) => item.id),
  );
  // Move an already-seen listing to the far end: it shows up again there, and nothing is lost.
  const moved = expected[0]!;
  t.is((await app.request('PATCH', `/v1/listings/${moved.id}`, { token: seller.accessToken, body: { price: 9_999 } })).status, 200);
  const rest = (await walk(t, { sellerId: seller.id, sort: 'price_asc', limit: 5, cursor: first.nextCursor! })).flat();
  t.deepEqual(
    rest.map((item) => item.id),
    [...expected.slice(5).map((item) => item.id), moved.id],
  );
});

// ---------------------------------------------------------------------------------------------
// Bad input

test('an invalid cursor gives 400, also a cursor made for another sort', async (t) => {
  const { seller } = await pricedListings();
  const newest = await search(t, { sellerId: seller.id, limit: 2 });
  const priced = await search(t, { sellerId: seller.id, limit: 2, sort: 'price_asc' });
  const forged = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
  const bad = [
    'garbage',
    '!!!',
    forged(['2026-01-01T00:00:00Z']),
    forged(['not a time', '01900000-0000-7000-8000-000000000000']),
    forged(['2026-01-01T00:00:00Z', 'not-a-uuid']),
    forged([1.5, '01900000-0000-7000-8000-000000000000']),
    forged({ price: 1 }),
    'x'.repeat(513),
  ];
  for (const cursor of bad) {
    assertProblem(t, await app.request('GET', `/v1/listings?cursor=${encodeURIComponent(cursor)}`), 400);
  }
  for (const cursor of ['garbage', forged(['2026-01-01T00:00:00Z', 'not-a-uuid'])]) {
    assertProblem(t, await app.request('GET', `/v1/listings?cursor=${encodeURIComponent(cursor)}`), 400, 'invalid-cursor');
  }
  assertProblem(t, await app.request('GET', `/v1/listings?sort=price_asc&cursor=${newest.nextCursor}`), 400, 'invalid-cursor');
  assertProblem(t, await app.request('GET', `/v1/listings?sort=newest&cursor=${priced.nextCursor}`), 400, 'invalid-cursor');
});

for (const [name, query] of [
  ['limit above 100', 'limit=101'],
  ['limit 0', 'limit=0'],
  ['a fractional limit', 'limit=1.5'],
  ['a limit that is not a number', 'limit=many'],
  ['an unknown sort', 'sort=cheapest'],
  ['an unknown status', 'status=gone'],
  ['two statuses', 'status=on_sale&status=sold'],
  ['an unknown saleType', 'saleType=barter'],
  ['a categoryId that is not a number', 'categoryId=digital'],
  ['categoryId 0', 'categoryId=0'],
  ['a negative minPrice', 'minPrice=-1'],
  ['a fractional maxPrice', 'maxPrice=10.5'],
  ['a sellerId that is not a UUID', 'sellerId=me'],
  ['a query of 101 characters', `q=${'가'.repeat(101)}`],
  ['a NUL character in the query', 'q=가방\u0000'],
  ['an empty maxPrice', 'maxPrice='],
  ['a hexadecimal minPrice', 'minPrice=0x10'],
  ['a categoryId in exponent notation', 'categoryId=1e1'],
] as const) {
  test(`GET /v1/listings with ${name} gives 400`, async (t) => {
    const res = await app.request('GET', `/v1/listings?${query.replace(/[^=&]+$/, (value) => encodeURIComponent(value))}`);
    assertProblem(t, res, 400, 'validation-failed');
    t.true(res.body.errors.some((error: { in: string }) => error.in === 'query'));
  });
}

test('limit 100 is allowed and the default page size is 20', async (t) => {
  const seller = await app.signup();
  for (let i = 0; i < 21; i++) await createListing<Listing>(app, seller, plain({ title: `기본 페이지 ${i}` }));
  const byDefault = await search(t, { sellerId: seller.id });
  t.is(byDefault.items.length, 20);
  t.not(byDefault.nextCursor, null);
  const hundred = await search(t, { sellerId: seller.id, limit: 100 });
  t.is(hundred.items.length, 21);
  t.is(hundred.nextCursor, null);
});
