import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, invalid, notFound } from '../errors.ts';
import { cursorTimestampSql, decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { newId } from '../shared/ids.ts';
import { toPage, type Page } from '../shared/page.ts';

export const KEYWORD_MAX_CHARS = 30;
export const KEYWORD_MAX_WORDS = 5;

export interface KeywordAlertView {
  id: string;
  keyword: string;
  /** The words a listing must contain (each as a word, a word's start, or the end of a compound), as search reads them. */
  words: string[];
  createdAt: Date;
}

interface AlertRow {
  id: string;
  keyword: string;
  words: string[];
  created_at: Date | string;
  created_key: string;
}

/** A text[] parameter, sent as JSON (a driver would spread a JS array into a list of values). */
const TEXT_ARRAY = `array(select w from jsonb_array_elements_text(?::jsonb) with ordinality as e(w, i) order by i)`;

const toView = (row: AlertRow): KeywordAlertView => ({ id: row.id, keyword: row.keyword, words: row.words, createdAt: new Date(row.created_at) });
const ALERT_COLUMNS = `id, keyword, words, created_at, ${cursorTimestampSql('created_at')} as created_key`;

// As elsewhere for user text: C0/C1 controls, bidi overrides and isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is how this refuses them
const REFUSED = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

/**
 * The words of a keyword exactly as search reads a query (the `simple` parser: lower case, split
 * at spaces and punctuation; sorted, each once). A listing matches when every word is the start of
 * one of its search lexemes (words and their suffixes), as `GET /v1/listings?q=` does.
 */
export async function keywordWords(em: EntityManager, keyword: string): Promise<string[]> {
  const [row] = await em.execute<{ words: string[] }[]>(`select tsvector_to_array(to_tsvector('simple', ?)) as words`, [keyword]);
  return row!.words;
}

/** The most selective word is the one looked up: the longest (then the first in order). */
export const lookupWordOf = (words: readonly string[]): string =>
  words.reduce((best, word) => ([...word].length > [...best].length || ([...word].length === [...best].length && word < best) ? word : best));

/**
 * Adds an alert, up to `maxPerUser` per user (the user's row lock keeps two at once from passing
 * the cap together). The same words again answer the existing alert (`created: false`).
 */
export async function createKeywordAlert(
  em: EntityManager,
  settings: { maxPerUser: number },
  userId: string,
  rawKeyword: string,
): Promise<{ alert: KeywordAlertView; created: boolean }> {
  const keyword = rawKeyword.trim().replace(/\s+/g, ' ');
  if (!keyword) throw invalid('empty-keyword', 'A keyword needs some text.');
  if ([...keyword].length > KEYWORD_MAX_CHARS) throw invalid('keyword-too-long', `A keyword has at most ${KEYWORD_MAX_CHARS} characters.`);
  if (REFUSED.test(keyword)) throw invalid('keyword-control-characters', 'A keyword cannot contain control or text-direction characters.');
  const words = await keywordWords(em, keyword);
  if (!words.length) throw invalid('keyword-without-words', 'A keyword needs at least one word (letters or digits).');
  if (words.length > KEYWORD_MAX_WORDS) throw invalid('keyword-too-many-words', `A keyword has at most ${KEYWORD_MAX_WORDS} words.`);
  return em.transactional(async (tx) => {
    await tx.execute('select id from users where id = ? for update', [userId]);
    const [existing] = await tx.execute<AlertRow[]>(`select ${ALERT_COLUMNS} from keyword_alerts where user_id = ? and words = ${TEXT_ARRAY}`, [userId, JSON.stringify(words)]);
    if (existing) return { alert: toView(existing), created: false };
    const [{ n }] = (await tx.execute<{ n: number }[]>('select count(*)::int as n from keyword_alerts where user_id = ?', [userId])) as [{ n: number }];
    if (n >= settings.maxPerUser) throw conflict('too-many-keyword-alerts', `A user may keep at most ${settings.maxPerUser} keyword alerts.`, { limit: settings.maxPerUser });
    const [row] = await tx.execute<AlertRow[]>(
      `insert into keyword_alerts (id, user_id, keyword, words, lookup_word) values (?, ?, ?, ${TEXT_ARRAY}, ?) returning ${ALERT_COLUMNS}`,
      [newId(), userId, keyword, JSON.stringify(words), lookupWordOf(words)],
    );
    return { alert: toView(row!), created: true };
  });
}

export async function listKeywordAlerts(em: EntityManager, userId: string, cursor: string | undefined, limit: number): Promise<Page<KeywordAlertView>> {
  const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
  const rows = await em.execute<AlertRow[]>(
    `select ${ALERT_COLUMNS} from keyword_alerts where user_id = ? ${after ? 'and (created_at, id) < (?::timestamptz, ?::uuid)' : ''}
     order by created_at desc, id desc limit ?`,
    [userId, ...(after ?? []), limit + 1],
  );
  return toPage(rows, limit, toView, (row) => encodeCursor([row.created_key, row.id]));
}

/** Another user's alert is answered like a missing one: alert ids tell nobody anything. */
export async function deleteKeywordAlert(em: EntityManager, userId: string, alertId: string): Promise<void> {
  const rows = await em.execute<{ id: string }[]>('delete from keyword_alerts where id = ? and user_id = ? returning id', [alertId, userId]);
  if (!rows.length) throw notFound('keyword-alert');
}
