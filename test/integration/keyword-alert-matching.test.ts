import test from 'ava';
import fc from 'fast-check';
import { createKeywordAlert } from '../../domain/keyword-alerts/keyword-alerts.ts';
import { findMatchingAlerts } from '../../domain/keyword-alerts/match-keyword-alerts.ts';
import { searchListings } from '../../domain/listings/search-listings.ts';
import { startUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';

/**
 * The alert lookup must find exactly what search finds: an alert matches a listing when
 * `GET /v1/listings?q=<keyword>` would return that listing.
 */
let h: UseCaseHarness;
let seller: { id: string };
const owners: { id: string }[] = [];
test.before(async () => {
  h = await startUseCaseHarness('keyword_alert_matching');
  seller = await h.user('판매자');
  for (let i = 0; i < 6; i++) owners.push(await h.user(`알림${i}`));
});
test.after.always(async () => {
  await h?.close();
});

const settings = { maxPerUser: 1000 };
const sql = <Row = any>(text: string, params: unknown[] = []) => h.em().execute<Row[]>(text, params);
async function listing(title: string, description = '', sellerId = seller.id): Promise<string> {
  const [row] = await sql<{ id: string }>(
    `insert into listings (id, seller_id, category_id, title, description, sale_type, price) values (gen_random_uuid(), ?, 1, ?, ?, 'fixed', 1000) returning id`,
    [sellerId, title, description],
  );
  return row!.id;
}
const matchedUsers = async (listingId: string) => (await findMatchingAlerts(h.em(), listingId)).map((m) => m.user_id).sort();

test.serial('particles and compounds: 의자 matches 캠핑의자를, as search does', async (t) => {
  await sql('delete from keyword_alerts');
  const [a, b, c, d] = owners;
  await createKeywordAlert(h.em(), settings, a!.id, '의자');
  await createKeywordAlert(h.em(), settings, b!.id, '캠핑 의자');
  await createKeywordAlert(h.em(), settings, c!.id, '책상');
  await createKeywordAlert(h.em(), settings, d!.id, 'IPHONE');
  const chairs = await listing('캠핑의자를 팝니다', '한 번 썼어요');
  t.deepEqual(await matchedUsers(chairs), [a!.id, b!.id].sort());
  const phone = await listing('iPhone 15 팔아요');
  t.deepEqual(await matchedUsers(phone), [d!.id], 'lower case, as the simple parser reads both');
  t.deepEqual(await matchedUsers(await listing('의', '자')), [], 'two words are not one');
});

test.serial("the seller's own alerts, blocks either way, suspended owners and listings not on sale match nothing", async (t) => {
  await sql('delete from keyword_alerts');
  const [a, b, c, d] = owners;
  for (const owner of [a, b, c, d]) await createKeywordAlert(h.em(), settings, owner!.id, '텐트');
  const otherSeller = await h.user('텐트판매');
  await createKeywordAlert(h.em(), settings, otherSeller.id, '텐트');
  await sql('insert into blocks (blocker_id, blocked_id) values (?, ?), (?, ?)', [b!.id, otherSeller.id, otherSeller.id, c!.id]);
  await sql('update users set suspended_at = now() where id = ?', [d!.id]);
  const tent = await listing('캠핑텐트 새것', '', otherSeller.id);
  t.deepEqual(await matchedUsers(tent), [a!.id], 'not the seller, not b (blocked the seller), not c (blocked by the seller), not d (suspended)');
  await sql('update users set suspended_at = null where id = ?', [d!.id]);
  await sql(`update listings set status = 'reserved' where id = ?`, [tent]);
  t.deepEqual(await matchedUsers(tent), []);
  await sql(`update listings set status = 'on_sale', hidden_at = now() where id = ?`, [tent]);
  t.deepEqual(await matchedUsers(tent), []);
});

test.serial('an alert added while its owner is suspended stays out until the suspension is lifted, however it is set', async (t) => {
  await sql('delete from keyword_alerts');
  const [a, b] = owners;
  await sql('update users set suspended_at = now() where id = ?', [a!.id]);
  await createKeywordAlert(h.em(), settings, a!.id, '자전거');
  await createKeywordAlert(h.em(), settings, b!.id, '자전거');
  const bike = await listing('접이식 자전거');
  t.deepEqual(await matchedUsers(bike), [b!.id], 'suspended before the alert was added');
  await sql('update users set suspended_at = null where id = ?', [a!.id]);
  t.deepEqual(await matchedUsers(bike), [a!.id, b!.id].sort(), 'restored: matched again');
  await sql('update users set suspended_at = now() where id = ?', [b!.id]);
  t.deepEqual(await matchedUsers(bike), [a!.id]);
  await sql('update users set suspended_at = null where id = ?', [b!.id]);
});

test.serial('one notice per user: two alerts of theirs that match are one row', async (t) => {
  await sql('delete from keyword_alerts');
  await createKeywordAlert(h.em(), settings, owners[0]!.id, '캠핑');
  await createKeywordAlert(h.em(), settings, owners[0]!.id, '의자');
  const matched = await findMatchingAlerts(h.em(), await listing('캠핑의자'));
  t.is(matched.length, 1);
  t.is(matched[0]!.keyword, '캠핑', 'their oldest alert names it');
});

// Pieces that make particles, compounds and near misses when glued together.
const PIECES = ['캠핑', '의자', '를', '을', '의', '자', '텐트', '아이폰', '15', '프로', '가방', '명품', 'Chair', 'chair', 'iPhone', '-', '!'];
const wordOf = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 3 }).map((p) => p.join(''));
const textOf = fc.array(wordOf, { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
const keywordOf = fc.array(wordOf, { minLength: 1, maxLength: 2 }).map((w) => w.join(' '));

test.serial('property: for random listings and keywords, the lookup finds exactly the alerts whose keyword search would find the listing', async (t) => {
  await fc.assert(
    fc.asyncProperty(textOf, textOf, fc.array(keywordOf, { minLength: 1, maxLength: 6 }), async (title, description, keywords) => {
      await sql('delete from keyword_alerts');
      const expected: string[] = [];
      const listingId = await listing(title.slice(0, 100), description);
      for (const [i, keyword] of keywords.entries()) {
        const owner = owners[i]!;
        try {
          await createKeywordAlert(h.em(), settings, owner.id, keyword);
        } catch {
          continue; // no words (punctuation only) or too long: not an alert
        }
        const found = await searchListings(h.em(), { q: keyword, sellerId: seller.id, sort: 'newest', limit: 100 });
        if (found.items.some((item) => item.id === listingId)) expected.push(owner.id);
      }
      const actual = await matchedUsers(listingId);
      if (JSON.stringify(actual) !== JSON.stringify(expected.sort())) throw new Error(`${title} / ${description} / ${JSON.stringify(keywords)}: ${actual} vs ${expected}`);
      await sql('delete from listings where id = ?', [listingId]);
    }),
    { numRuns: 60 },
  );
  t.pass();
});
