import test from 'ava';
import fc from 'fast-check';
import { HALF_LIFE_DAYS, mannerScore, NEUTRAL_SCORE, RATINGS, type ReceivedReview } from '../../domain/reviews/manner-score.ts';

const NOW = new Date('2026-12-01T00:00:00.000Z');
const DAY = 86_400_000;
const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * DAY);

const review = fc.record({
  reviewerId: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6'),
  rating: fc.constantFrom(...RATINGS),
  createdAt: fc.integer({ min: 0, max: 3 * 365 }).map(at),
});
const reviews = fc.array(review, { maxLength: 30 });
const freshReviewer = (rating: ReceivedReview['rating'], daysAgo = 0): ReceivedReview => ({ reviewerId: 'newcomer', rating, createdAt: at(daysAgo) });

test('no reviews: the neutral start', (t) => {
  t.is(mannerScore([], NOW), NEUTRAL_SCORE);
});

test('always within 0..100', (t) => {
  fc.assert(fc.property(reviews, (rs) => {
    const score = mannerScore(rs, NOW);
    return score >= 0 && score <= 100;
  }));
  const many = Array.from({ length: 500 }, (_, i): ReceivedReview => ({ reviewerId: `r${i}`, rating: 'good', createdAt: NOW }));
  t.true(mannerScore(many, NOW) > 99);
  t.true(mannerScore(many.map((r) => ({ ...r, rating: 'bad' as const })), NOW) < 1);
});

test('the order reviews come in does not matter', (t) => {
  fc.assert(fc.property(reviews, fc.func(fc.integer()), (rs, key) => {
    const shuffled = [...rs].sort((a, b) => key(a) - key(b));
    return mannerScore(shuffled, NOW) === mannerScore(rs, NOW);
  }));
  t.pass();
});

test('a new reviewer saying good never lowers the score, bad never raises it, neutral pulls towards 36.5', (t) => {
  fc.assert(fc.property(reviews, fc.integer({ min: 0, max: 1000 }), (rs, daysAgo) => {
    const before = mannerScore(rs, NOW);
    const good = mannerScore([...rs, freshReviewer('good', daysAgo)], NOW);
    const bad = mannerScore([...rs, freshReviewer('bad', daysAgo)], NOW);
    const neutral = mannerScore([...rs, freshReviewer('neutral', daysAgo)], NOW);
    return good >= before && bad <= before && Math.abs(neutral - NEUTRAL_SCORE) <= Math.abs(before - NEUTRAL_SCORE) + 0.05;
  }));
  t.true(mannerScore([freshReviewer('good')], NOW) > NEUTRAL_SCORE);
  t.true(mannerScore([freshReviewer('bad')], NOW) < NEUTRAL_SCORE);
});

test("one reviewer's many trades with the same user count once: only their latest review", (t) => {
  fc.assert(fc.property(reviews, fc.constantFrom(...RATINGS), fc.integer({ min: 1, max: 20 }), (rs, rating, times) => {
    const others = rs.filter((r) => r.reviewerId !== 'r1');
    const once = mannerScore([...others, { reviewerId: 'r1', rating, createdAt: at(1) }], NOW);
    // The same reviewer, many older trades of any rating: the latest one alone counts.
    const older = Array.from({ length: times }, (_, i): ReceivedReview => ({ reviewerId: 'r1', rating: RATINGS[i % 3]!, createdAt: at(2 + i) }));
    return mannerScore([...others, ...older, { reviewerId: 'r1', rating, createdAt: at(1) }], NOW) === once;
  }));
  const tenFromOne = Array.from({ length: 10 }, (_, i): ReceivedReview => ({ reviewerId: 'friend', rating: 'good', createdAt: at(i) }));
  const tenFromTen = tenFromOne.map((r, i) => ({ ...r, reviewerId: `buyer${i}` }));
  t.is(mannerScore(tenFromOne, NOW), mannerScore([tenFromOne[0]!], NOW));
  t.true(mannerScore(tenFromTen, NOW) > mannerScore(tenFromOne, NOW));
});

test('recent reviews weigh more than old ones', (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 1000 }), (recent, gap) => {
    const old = recent + gap;
    const recentGood = mannerScore([{ reviewerId: 'a', rating: 'good', createdAt: at(recent) }, { reviewerId: 'b', rating: 'bad', createdAt: at(old) }], NOW);
    const recentBad = mannerScore([{ reviewerId: 'a', rating: 'bad', createdAt: at(recent) }, { reviewerId: 'b', rating: 'good', createdAt: at(old) }], NOW);
    // Strictly once the gap is big enough to survive rounding to one decimal.
    return gap >= 30 ? recentGood > recentBad : recentGood >= recentBad;
  }));
  // A review one half-life old moves the score less than a fresh one.
  t.true(mannerScore([freshReviewer('good', HALF_LIFE_DAYS)], NOW) < mannerScore([freshReviewer('good')], NOW));
});

test('the documented numbers', (t) => {
  // One fresh good review: x = 1 / (3 + 1) = 0.25 -> 36.5 + 63.5 * 0.25 = 52.375 -> 52.4.
  t.is(mannerScore([freshReviewer('good')], NOW), 52.4);
  // One fresh bad review: x = -0.25 -> 36.5 - 36.5 * 0.25 = 27.375 -> 27.4.
  t.is(mannerScore([freshReviewer('bad')], NOW), 27.4);
  // A good review one half-life old: w = 0.5, x = 0.5 / 3.5 -> 36.5 + 63.5 / 7 = 45.57 -> 45.6.
  t.is(mannerScore([freshReviewer('good', HALF_LIFE_DAYS)], NOW), 45.6);
});
