import { z } from 'zod';
import { KEYWORD_MAX_CHARS } from '../../domain/keyword-alerts/keyword-alerts.ts';
import { Id, Timestamp } from './common.ts';

export const KeywordAlert = z
  .object({
    id: Id,
    keyword: z.string().meta({ description: 'As typed (spaces collapsed).' }),
    words: z.array(z.string()).meta({ description: 'The words a listing must contain, read as search reads a query: each may be a whole word, its start, or the end of a compound (의자 matches 캠핑의자를).' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'KeywordAlert' });

export const NewKeywordAlertBody = z
  .strictObject({ keyword: z.string().min(1).max(KEYWORD_MAX_CHARS * 4).meta({ description: `1 to ${KEYWORD_MAX_CHARS} characters, at most 5 words.` }) })
  .meta({ id: 'NewKeywordAlert' });
