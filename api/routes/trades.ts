import { purchaseListing } from '../../domain/trades/purchase-listing.ts';
import { cancelTrade, completeTrade } from '../../domain/trades/settle-trade.ts';
import { findTradeView, listMyTrades } from '../../domain/trades/trade-view.ts';
import type { AppDeps } from '../context.ts';
import { presentPage, presentTrade } from '../presenters/listings.ts';
import { defineRoute, type Route } from '../route.ts';
import { IdParams, page } from '../schemas/common.ts';
import { CancelTradeBody, MyTradesQuery, Trade } from '../schemas/trades.ts';

export function tradeRoutes(deps: AppDeps): Route[] {
  const tags = ['Trades'];
  return [
    defineRoute(
      {
        method: 'post', path: '/v1/listings/:id/purchase', operationId: 'purchaseListing', tags, auth: 'required',
        summary: 'Buy a fixed-price listing',
        description:
          'Reserves the listing and opens a trade. When two buyers click at once, one gets 201 and the other 409. A buyer may hold ' +
          `${deps.config.trades.maxOpenPerBuyer} pending purchases at once (409 \`too-many-open-trades\` beyond); each expires at \`expiresAt\` ` +
          'if not completed: the listing goes back on sale and both parties are told.',
        params: IdParams,
        responses: { 201: { description: 'The trade', schema: Trade } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, caller }) => {
        const trade = await purchaseListing(em, { followUps: deps.followUps, settings: deps.config.trades }, caller.userId, params.id);
        return { status: 201, headers: { Location: `/v1/trades/${trade.id}` }, body: presentTrade(await findTradeView(em, caller.userId, trade.id)) };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/trades/:id', operationId: 'getTrade', summary: 'One of my trades', tags, auth: 'required',
        description: 'Only its buyer or seller see a trade.',
        params: IdParams,
        responses: { 200: { description: 'The trade', schema: Trade } },
        problems: [400, 401, 403, 404],
      },
      async ({ em, params, caller }) => ({ status: 200, body: presentTrade(await findTradeView(em, caller.userId, params.id)) }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/trades/:id/complete', operationId: 'completeTrade', tags, auth: 'required',
        summary: 'Confirm the hand-over; the listing becomes sold',
        description: 'Both parties then find a `review_prompt` in their inbox: each may review the other once (`POST /v1/trades/:id/reviews`).',
        params: IdParams,
        responses: { 200: { description: 'The completed trade', schema: Trade } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, caller }) => {
        await completeTrade(em, deps.followUps, caller.userId, params.id);
        return { status: 200, body: presentTrade(await findTradeView(em, caller.userId, params.id)) };
      },
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/trades/:id/cancel', operationId: 'cancelTrade', tags, auth: 'required',
        summary: 'Call a trade off (either party)',
        description:
          'A fixed-price listing goes back on sale; an auction listing ends, and its seller may relist it or offer a second chance to the runner-up. The other party is told.',
        params: IdParams,
        body: CancelTradeBody,
        responses: { 200: { description: 'The cancelled trade', schema: Trade } },
        problems: [400, 401, 403, 404, 409],
      },
      async ({ em, params, body, caller }) => {
        await cancelTrade(em, deps.followUps, caller.userId, params.id, body.reason ?? null);
        return { status: 200, body: presentTrade(await findTradeView(em, caller.userId, params.id)) };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/me/trades', operationId: 'listMyTrades', summary: 'My trades, newest first', tags, auth: 'required',
        description: 'Trades in which the caller is the buyer or the seller (`role`), as a collection `{items, nextCursor}`.',
        query: MyTradesQuery,
        responses: { 200: { description: 'One page of trades', schema: page(Trade) } },
        problems: [400, 401],
      },
      async ({ em, query, caller }) => ({
        status: 200,
        body: presentPage(await listMyTrades(em, caller.userId, query.role, query.cursor, query.limit), presentTrade),
      }),
    ),
  ];
}
