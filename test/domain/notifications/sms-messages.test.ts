import test from 'ava';
import fc from 'fast-check';
import { renderSms, shortTitle, smsSafeTitle } from '../../../domain/notifications/sms-messages.ts';

/** What a phone's SMS app would turn into a link: a scheme, or a host name (labels joined by dots). */
const LINK_LIKE = /[a-z][a-z0-9+.-]*:\/\/|\S[.\u3002\uFF61]\p{L}|\p{L}[.\u3002\uFF61]\S|\d+\.\d+\.\d+\.\d+/iu;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

test('URL-like titles lose what makes them links', (t) => {
  for (const title of [
    'evil.com 아이폰 싸게',
    'https://evil.example/pay 아이폰',
    'www.bit.ly/abc',
    '아이폰 evil．com',
    'hxxp://x 192.168.0.1',
    '정품 가방 카톡 me。kr',
    'evil .com',
    'a@b.co',
    'xn--80ak6aa92e.com',
  ]) {
    const safe = smsSafeTitle(title);
    t.notRegex(safe, LINK_LIKE, `${title} → ${safe}`);
  }
  t.is(smsSafeTitle('evil.com 아이폰'), 'evil com 아이폰');
  t.is(smsSafeTitle('https://evil.example/pay'), 'evil example/pay');
});

test('ordinary titles keep their words, decimals and hyphens', (t) => {
  t.is(smsSafeTitle('맥북 프로 14인치 M3'), '맥북 프로 14인치 M3');
  t.is(smsSafeTitle('3.5mm 이어폰 잭'), '3.5mm 이어폰 잭');
  t.is(smsSafeTitle('아이폰 15 Pro - 256GB'), '아이폰 15 Pro - 256GB');
  t.is(smsSafeTitle('끝에 점.'), '끝에 점.');
});

test('control, bidi and zero-width characters are removed', (t) => {
  t.is(smsSafeTitle('아이폰\u202Emoc.live\u202C'), '아이폰 moc live');
  t.notRegex(smsSafeTitle('a\u0000b\u0007c\r\nd\u2028e\u200Bf\u2066g\uFEFF'), INVISIBLE);
  t.is(smsSafeTitle('줄\n바꿈\t탭'), '줄 바꿈 탭');
});

test('titles are cut to 20 characters without splitting a grapheme', (t) => {
  const cut = shortTitle('가'.repeat(50));
  t.is([...cut].length, 20);
  t.true(cut.endsWith('…'));
  const emoji = shortTitle('👍🏽'.repeat(30));
  t.is(new Intl.Segmenter().segment(emoji)[Symbol.iterator]().next().value?.segment, '👍🏽');
  t.false(/\uD83D$|[\uD800-\uDBFF]…$/.test(emoji), 'no half surrogate pair before the ellipsis');
});

test('property: no SMS text carries a link-like token, a control or bidi character from any title', (t) => {
  const pieces = fc.oneof(
    fc.string(),
    fc.constantFrom('.', '．', '。', '｡', '://', 'http', 'www', 'com', 'kr', '\u202E', '\u2066', '\u200B', '\n', '\u0000', '1', '192', ' ', '가', 'a'),
  );
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
      const text = renderSms('outbid', parts.join(''), { price: 10_000 });
      const item = text.slice(text.indexOf('"') + 1, text.lastIndexOf('"'));
      return !LINK_LIKE.test(item) && !INVISIBLE.test(item) && [...item].length <= 20;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
