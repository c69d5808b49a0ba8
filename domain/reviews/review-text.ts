import { invalid } from '../errors.ts';

export const REVIEW_TEXT_MAX_CHARS = 1000;

// As for chat messages: C0/C1 controls other than tab and line feed, and bidi overrides/isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is how this refuses them
const REFUSED = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

/** A review's text is optional plain text; blank becomes none. */
export function normaliseReviewText(text: string | null | undefined): string | null {
  if (text == null) return null;
  const normalised = text.replace(/\r\n?/g, '\n').trim();
  if (!normalised) return null;
  if ([...normalised].length > REVIEW_TEXT_MAX_CHARS) throw invalid('review-text-too-long', `A review has at most ${REVIEW_TEXT_MAX_CHARS} characters.`);
  if (REFUSED.test(normalised)) throw invalid('review-control-characters', 'A review cannot contain control or text-direction characters.');
  return normalised;
}
