import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Pending notifications written more than `olderThanS` ago: the process that committed them died
 * before it enqueued their send, or Redis lost the job. Re-enqueueing one whose job still exists
 * is a no-op (the job id names the row), so this may over-report safely.
 */
export async function findStrandedNotificationIds(em: EntityManager, olderThanS: number, limit = 1000): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `select id from notifications where status = 'pending' and sms and created_at < now() - make_interval(secs => ?) order by created_at limit ?`,
    [olderThanS, limit],
  );
  return rows.map((r) => r.id);
}
