import type { EntityManager } from '@mikro-orm/postgresql';
import { invalid, notFound } from '../errors.ts';
import { cursorTimestampSql, decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { toPage, type Page } from '../shared/page.ts';

/**
 * A block is one user's, about another. Its effects are mutual where that protects the blocker:
 * no conversation can be opened or written between the two, and neither sees the other's
 * listings in search.
 */
export interface BlockView {
  userId: string;
  nickname: string;
  blockedAt: Date;
}

/** SQL: true when either of the two users (given as SQL expressions) has blocked the other. */
export const blockedEitherWaySql = (a: string, b: string) =>
  `exists (select 1 from blocks bl where (bl.blocker_id = ${a} and bl.blocked_id = ${b}) or (bl.blocker_id = ${b} and bl.blocked_id = ${a}))`;

/**
 * SQL: the ids of everyone who blocked the user (an SQL expression) or whom that user blocked, for
 * a `not in` when many rows are tested against one user: read once through the two block indexes.
 */
export const blockedEitherWayIdsSql = (user: string) =>
  `select blocker_id from blocks where blocked_id = ${user} union all select blocked_id from blocks where blocker_id = ${user}`;

export async function isBlockedEitherWay(em: EntityManager, a: string, b: string): Promise<boolean> {
  const [row] = await em.execute<{ blocked: boolean }[]>(`select ${blockedEitherWaySql('?::uuid', '?::uuid')} as blocked`, [a, b, b, a]);
  return row!.blocked;
}

/** Idempotent: blocking someone already blocked keeps the first block. */
export async function blockUser(em: EntityManager, blockerId: string, blockedId: string): Promise<void> {
  if (blockerId === blockedId) throw invalid('cannot-block-self', 'You cannot block yourself.');
  const rows = await em.execute<{ id: string }[]>(
    `insert into blocks (blocker_id, blocked_id) select ?, id from users where id = ? on conflict do nothing returning blocked_id as id`,
    [blockerId, blockedId],
  );
  if (!rows.length) {
    const [exists] = await em.execute<{ id: string }[]>('select id from users where id = ?', [blockedId]);
    if (!exists) throw notFound('user');
  }
}

export async function unblockUser(em: EntityManager, blockerId: string, blockedId: string): Promise<void> {
  await em.execute('delete from blocks where blocker_id = ? and blocked_id = ?', [blockerId, blockedId]);
}

export async function listBlocks(em: EntityManager, blockerId: string, cursor: string | undefined, limit: number): Promise<Page<BlockView>> {
  const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
  const rows = await em.execute<{ user_id: string; nickname: string; created_at: Date; created_key: string }[]>(
    `select b.blocked_id as user_id, u.nickname, b.created_at, ${cursorTimestampSql('b.created_at')} as created_key
     from blocks b join users u on u.id = b.blocked_id
     where b.blocker_id = ? ${after ? 'and (b.created_at, b.blocked_id) < (?::timestamptz, ?::uuid)' : ''}
     order by b.created_at desc, b.blocked_id desc limit ?`,
    [blockerId, ...(after ?? []), limit + 1],
  );
  return toPage(
    rows,
    limit,
    (r) => ({ userId: r.user_id, nickname: r.nickname, blockedAt: new Date(r.created_at) }),
    (r) => encodeCursor([r.created_key, r.user_id]),
  );
}
