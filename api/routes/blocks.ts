import { blockUser, listBlocks, unblockUser, type BlockView } from '../../domain/blocks/blocks.ts';
import type { AppDeps } from '../context.ts';
import { presentPage } from '../presenters/listings.ts';
import { defineRoute, type Route } from '../route.ts';
import { page, PageQuery } from '../schemas/common.ts';
import { Block, UserIdParams } from '../schemas/chat.ts';

const presentBlock = (b: BlockView) => ({ ...b, blockedAt: b.blockedAt.toISOString() });

export function blockRoutes(_deps: AppDeps): Route[] {
  const tags = ['Chat'];
  return [
    defineRoute(
      {
        method: 'put', path: '/v1/me/blocks/:userId', operationId: 'blockUser', tags, auth: 'required',
        summary: 'Block a user',
        description: "Neither of us can open or write a conversation with the other, and neither sees the other's listings in search. Blocking twice is a no-op.",
        params: UserIdParams,
        responses: { 204: { description: 'Blocked' } },
        problems: [400, 401, 404],
      },
      async ({ em, params, caller }) => {
        await blockUser(em, caller.userId, params.userId);
        return { status: 204 };
      },
    ),
    defineRoute(
      {
        method: 'delete', path: '/v1/me/blocks/:userId', operationId: 'unblockUser', tags, auth: 'required',
        description: 'The user may message the caller again, and each sees the other’s listings in search again.',
        summary: 'Unblock a user',
        params: UserIdParams,
        responses: { 204: { description: 'Not blocked (any more)' } },
        problems: [400, 401],
      },
      async ({ em, params, caller }) => {
        await unblockUser(em, caller.userId, params.userId);
        return { status: 204 };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/me/blocks', operationId: 'listMyBlocks', tags, auth: 'required',
        description: 'The users the caller has blocked, as a collection `{items, nextCursor}`.',
        summary: 'The users I have blocked, newest first',
        query: PageQuery,
        responses: { 200: { description: 'One page of blocks', schema: page(Block) } },
        problems: [400, 401],
      },
      async ({ em, query, caller }) => ({ status: 200, body: presentPage(await listBlocks(em, caller.userId, query.cursor, query.limit), presentBlock) }),
    ),
  ];
}
