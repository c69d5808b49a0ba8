import type { EntityManager } from '@mikro-orm/postgresql';
import { invalid, notFound } from '../errors.ts';
import { cursorTimestampSql, decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { newId } from '../shared/ids.ts';
import { toPage, type Page } from '../shared/page.ts';

export const REPORT_TARGETS = ['listing', 'user', 'message'] as const;
export type ReportTarget = (typeof REPORT_TARGETS)[number];

export interface ReportView {
  id: string;
  reporterId: string;
  targetType: ReportTarget;
  targetId: string;
  reason: string;
  createdAt: Date;
  /** False once the target was deleted. */
  targetExists: boolean;
}

/**
 * Whether `reporterId` can see the target: anyone sees listings (not hidden ones) and users; a
 * message only the two parties of its conversation. A target one cannot see is a 404, so reports
 * cannot probe which ids exist.
 */
const VISIBLE: Record<ReportTarget, string> = {
  listing: 'select 1 from listings where id = ? and hidden_at is null',
  user: 'select 1 from users where id = ?',
  message: `select 1 from messages m join conversations c on c.id = m.conversation_id where m.id = ? and ? in (c.seller_id, c.buyer_id)`,
};

/** One report per reporter and target: reporting again answers the first report (`created` false). */
export async function createReport(
  em: EntityManager,
  reporterId: string,
  input: { targetType: ReportTarget; targetId: string; reason: string },
): Promise<{ report: ReportView; created: boolean }> {
  const reason = input.reason.trim();
  if (!reason) throw invalid('empty-reason', 'Say why you report it.');
  if (input.targetType === 'user' && input.targetId === reporterId) throw invalid('cannot-report-self', 'You cannot report yourself.');
  const visible = await em.execute(VISIBLE[input.targetType], input.targetType === 'message' ? [input.targetId, reporterId] : [input.targetId]);
  if (!visible.length) throw notFound(input.targetType);
  const [inserted] = await em.execute<{ id: string }[]>(
    `insert into reports (id, reporter_id, target_type, target_id, reason) values (?, ?, ?, ?, ?)
     on conflict (reporter_id, target_type, target_id) do nothing returning id`,
    [newId(), reporterId, input.targetType, input.targetId, reason],
  );
  const [row] = await em.execute<ReportRow[]>(`${REPORT_SELECT} where r.reporter_id = ? and r.target_type = ? and r.target_id = ?`, [
    reporterId,
    input.targetType,
    input.targetId,
  ]);
  return { report: toReport(row!), created: Boolean(inserted) };
}

interface ReportRow {
  id: string;
  reporter_id: string;
  target_type: ReportTarget;
  target_id: string;
  reason: string;
  created_at: Date | string;
  target_exists: boolean;
  created_key: string;
}

const REPORT_SELECT = `select r.id, r.reporter_id, r.target_type, r.target_id, r.reason, r.created_at, ${cursorTimestampSql('r.created_at')} as created_key,
    case r.target_type
      when 'listing' then exists (select 1 from listings where id = r.target_id)
      when 'user' then exists (select 1 from users where id = r.target_id)
      else exists (select 1 from messages where id = r.target_id) end as target_exists
  from reports r`;

const toReport = (row: ReportRow): ReportView => ({
  id: row.id,
  reporterId: row.reporter_id,
  targetType: row.target_type,
  targetId: row.target_id,
  reason: row.reason,
  createdAt: new Date(row.created_at),
  targetExists: row.target_exists,
});

/** The admins' queue, newest first. */
export async function listReports(em: EntityManager, cursor: string | undefined, limit: number): Promise<Page<ReportView>> {
  const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
  const rows = await em.execute<ReportRow[]>(
    `${REPORT_SELECT} ${after ? 'where (r.created_at, r.id) < (?::timestamptz, ?::uuid)' : ''} order by r.created_at desc, r.id desc limit ?`,
    [...(after ?? []), limit + 1],
  );
  return toPage(rows, limit, toReport, (row) => encodeCursor([row.created_key, row.id]));
}
