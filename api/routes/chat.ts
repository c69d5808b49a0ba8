import { markConversationRead } from '../../domain/chat/mark-conversation-read.ts';
import { openConversation } from '../../domain/chat/open-conversation.ts';
import { sendMessage } from '../../domain/chat/send-message.ts';
import { findConversationView, listMessages, listMyConversations, type ConversationView, type MessageView } from '../../domain/chat/chat-views.ts';
import type { AppDeps } from '../context.ts';
import { presentPage } from '../presenters/listings.ts';
import { defineRoute, type Route } from '../route.ts';
import { IdParams, page, PageQuery } from '../schemas/common.ts';
import { Conversation, Message, SendMessageBody } from '../schemas/chat.ts';

const presentMessage = (m: MessageView) => ({ ...m, createdAt: m.createdAt.toISOString() });
const presentConversation = (c: ConversationView) => ({
  ...c,
  createdAt: c.createdAt.toISOString(),
  lastMessage: c.lastMessage ? presentMessage(c.lastMessage) : null,
});

export function chatRoutes(deps: AppDeps): Route[] {
  const tags = ['Chat'];
  return [
    defineRoute(
      {
        method: 'post', path: '/v1/listings/:id/conversations', operationId: 'openConversation', tags, auth: 'required',
        summary: "Start (or reopen) my conversation with a listing's seller",
        description: 'One conversation per listing and buyer: 201 when it is new, 200 with the existing one.',
        params: IdParams,
        responses: { 200: { description: 'The existing conversation', schema: Conversation }, 201: { description: 'The new conversation', schema: Conversation } },
        problems: [400, 401, 403, 404],
      },
      async ({ em, params, caller }) => {
        const { id, created } = await openConversation(em, caller.userId, params.id);
        return {
          status: created ? 201 : 200,
          headers: { Location: `/v1/conversations/${id}/messages` },
          body: presentConversation(await findConversationView(em, caller.userId, id)),
        };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/me/conversations', operationId: 'listMyConversations', tags, auth: 'required',
        description: 'Conversations in which the caller is the buyer or the seller, as a collection `{items, nextCursor}`.',
        summary: 'My conversations, the most recently active first, with the last message and my unread count',
        query: PageQuery,
        responses: { 200: { description: 'One page of conversations', schema: page(Conversation) } },
        problems: [400, 401],
      },
      async ({ em, query, caller }) => ({ status: 200, body: presentPage(await listMyConversations(em, caller.userId, query.cursor, query.limit), presentConversation) }),
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/conversations/:id/messages', operationId: 'listMessages', tags, auth: 'required',
        description: 'Only the two parties of the conversation (403 for others); a collection `{items, nextCursor}`.',
        summary: 'Messages of a conversation, newest first',
        params: IdParams,
        query: PageQuery,
        responses: { 200: { description: 'One page of messages', schema: page(Message) } },
        problems: [400, 401, 403, 404],
      },
      async ({ em, params, query, caller }) => ({
        status: 200,
        body: presentPage(await listMessages(em, caller.userId, params.id, query.cursor, query.limit), presentMessage),
      }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/conversations/:id/messages', operationId: 'sendMessage', tags, auth: 'required',
        summary: 'Send a message',
        description:
          "Delivered live on both parties' streams (`GET /v1/me/events`); a recipient with no stream open gets one inbox item " +
          'per conversation until they read it. Read-only conversations (listing deleted) give 409, blocks 403.',
        params: IdParams,
        body: SendMessageBody,
        responses: { 201: { description: 'The message', schema: Message } },
        problems: [400, 401, 403, 404, 409, 429],
      },
      async ({ em, params, body, caller }) => ({
        status: 201,
        body: presentMessage(
          await sendMessage(em, { followUps: deps.followUps, rateLimiter: deps.messageRateLimiter, presence: deps.presence }, caller.userId, params.id, body.text),
        ),
      }),
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/conversations/:id/read', operationId: 'markConversationRead', tags, auth: 'required',
        description: 'Sets the caller’s read mark to the newest message, so the conversation counts no unread message for the caller.',
        summary: 'Mark the conversation read up to its newest message',
        params: IdParams,
        responses: { 200: { description: 'The conversation', schema: Conversation } },
        problems: [400, 401, 403, 404],
      },
      async ({ em, params, caller }) => {
        await markConversationRead(em, caller.userId, params.id);
        return { status: 200, body: presentConversation(await findConversationView(em, caller.userId, params.id)) };
      },
    ),
  ];
}
