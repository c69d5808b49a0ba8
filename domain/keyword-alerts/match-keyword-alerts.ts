import type { EntityManager } from '@mikro-orm/postgresql';
import { blockedEitherWayIdsSql } from '../blocks/blocks.ts';
import type { FollowUpDispatcher } from '../follow-ups/follow-ups.ts';
import { transactionWithFollowUps } from '../follow-ups/transaction.ts';
import { keywordMatchNotice } from '../notifications/notices.ts';
import { writeNotifications } from '../notifications/notification-writer.ts';
import { KEYWORD_MAX_CHARS } from './keyword-alerts.ts';

/**
 * The alerts a listing matches, as index lookups. Search matches a query word when it is the start
 * of one of the listing's lexemes (`listing_search_vector`: each word and each of its suffixes), so
 * the words any alert could match are exactly the prefixes of those lexemes, up to the longest
 * keyword. Each prefix is one probe of `keyword_alerts_lookup_idx` (an alert is filed under its
 * longest word), an index-only scan; an alert of several words is then checked for its other words
 * in the prefixes as jsonb keys (a binary search each; `words <@ prefixes` compared every word with
 * all ~400 prefixes, and was most of the time). Cost: O(lexemes × prefix length) probes plus the
 * rows found, whatever the number of alerts.
 *
 * Not matched: the seller's own alerts, alerts of anyone who blocked the seller or whom the seller
 * blocked (search hides the listing from them too), and alerts of suspended accounts. An alert
 * carries its owner's suspension (`owner_suspended`, kept by triggers), and the lookup index holds
 * only the others; the seller and their blocks are read once per listing into one `not in` set the
 * plan hashes. So an alert found costs no users row and no blocks probe. A listing no longer on
 * sale, or hidden, matches nothing (it has no prefixes). One row per user (their oldest matching
 * alert). `\?&` is jsonb's "has all keys", escaped from MikroORM's `?` placeholders.
 */
export const MATCHING_ALERTS_SQL = `
  with listing as (
    select id, seller_id, search_vector from listings where id = ? and status = 'on_sale' and hidden_at is null
  ), present as (
    select array_agg(distinct left(lexeme, n)) as prefixes, jsonb_object_agg(left(lexeme, n), true) as prefix_set
    from listing, unnest(tsvector_to_array(listing.search_vector)) as lexeme,
         generate_series(1, least(char_length(lexeme), ${KEYWORD_MAX_CHARS})) as n
  ), excluded as (
    select seller_id as user_id from listing
    union all ${blockedEitherWayIdsSql('(select seller_id from listing)')}
  )
  select distinct on (a.user_id) a.id, a.user_id, a.keyword
  from present
  join keyword_alerts a on a.lookup_word = any(present.prefixes)
   and (cardinality(a.words) = 1 or present.prefix_set \\?& a.words)
  where not a.owner_suspended and a.user_id not in (select user_id from excluded)
  order by a.user_id, a.created_at, a.id`;

export interface MatchedAlert {
  id: string;
  user_id: string;
  keyword: string;
}

export const findMatchingAlerts = (em: EntityManager, listingId: string): Promise<MatchedAlert[]> => em.execute<MatchedAlert[]>(MATCHING_ALERTS_SQL, [listingId]);

/**
 * Tells the owner of every alert a new or relisted listing matches, once per listing time and
 * user (a retried job writes nothing twice). Runs in the worker, never in the request.
 */
export async function matchKeywordAlerts(
  em: EntityManager,
  followUps: FollowUpDispatcher,
  listingId: string,
  listedAt: Date,
): Promise<{ notified: number }> {
  return transactionWithFollowUps(em, followUps, async (tx) => {
    const matched = await findMatchingAlerts(tx, listingId);
    const notifications = await writeNotifications(
      tx,
      matched.map((m) => keywordMatchNotice({ listingId, listedAt, userId: m.user_id, keyword: m.keyword })),
    );
    return { value: { notified: notifications.length }, followUps: { notifications } };
  });
}
