import { countUnread, listInbox, markRead, type InboxItem as InboxItemView } from '../../domain/notifications/inbox.ts';
import type { AppDeps } from '../context.ts';
import { presentPage } from '../presenters/listings.ts';
import { defineRoute, type Route } from '../route.ts';
import { page } from '../schemas/common.ts';
import { InboxItem, InboxQuery, MarkReadBody, UnreadCount } from '../schemas/notifications.ts';

const presentItem = (item: InboxItemView) => ({ ...item, createdAt: item.createdAt.toISOString(), readAt: item.readAt?.toISOString() ?? null });

export function notificationRoutes(_deps: AppDeps): Route[] {
  const tags = ['Notifications'];
  return [
    defineRoute(
      {
        method: 'get', path: '/v1/me/notifications', operationId: 'listMyNotifications', tags, auth: 'required',
        summary: 'My inbox, newest first',
        description: 'Every notice is here, including the ones that also went out by SMS.',
        query: InboxQuery,
        responses: { 200: { description: 'One page of inbox items', schema: page(InboxItem) } },
        problems: [400, 401],
      },
      async ({ em, query, caller }) => ({
        status: 200,
        body: presentPage(await listInbox(em, caller.userId, { cursor: query.cursor, limit: query.limit, unread: query.unread }), presentItem),
      }),
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/me/notifications/unread-count', operationId: 'countMyUnreadNotifications', tags, auth: 'required',
        description: 'The number of the caller’s inbox items with no `readAt`, for a badge.',
        summary: 'How many inbox items I have not read',
        responses: { 200: { description: 'The count', schema: UnreadCount } },
        problems: [401],
      },
      async ({ em, caller }) => ({ status: 200, body: { unreadCount: await countUnread(em, caller.userId) } }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/me/notifications/read', operationId: 'markMyNotificationsRead', tags, auth: 'required',
        summary: 'Mark inbox items read',
        description: 'Ids that are not mine are ignored. Answers the unread count that remains.',
        body: MarkReadBody,
        responses: { 200: { description: 'The unread count after marking', schema: UnreadCount } },
        problems: [400, 401],
      },
      async ({ em, body, caller }) => ({ status: 200, body: { unreadCount: await markRead(em, caller.userId, body.all ? { all: true } : { ids: body.ids ?? [] }) } }),
    ),
  ];
}
