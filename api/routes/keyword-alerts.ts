import { createKeywordAlert, deleteKeywordAlert, listKeywordAlerts, type KeywordAlertView } from '../../domain/keyword-alerts/keyword-alerts.ts';
import type { AppDeps } from '../context.ts';
import { presentPage } from '../presenters/listings.ts';
import { defineRoute, type Route } from '../route.ts';
import { IdParams, page, PageQuery } from '../schemas/common.ts';
import { KeywordAlert, NewKeywordAlertBody } from '../schemas/keyword-alerts.ts';

const presentAlert = (a: KeywordAlertView) => ({ ...a, createdAt: a.createdAt.toISOString() });

export function keywordAlertRoutes(deps: AppDeps): Route[] {
  const tags = ['Keyword alerts'];
  const max = deps.config.keywordAlerts.maxPerUser;
  return [
    defineRoute(
      {
        method: 'post', path: '/v1/me/keyword-alerts', operationId: 'createKeywordAlert', tags, auth: 'required',
        summary: 'Tell me when a listing matching a keyword goes on sale (키워드 알림)',
        description:
          `A new or relisted listing whose words match (as search matches a query) puts a \`keyword_match\` item in my inbox and stream. ` +
          `At most ${max} alerts (409 \`too-many-keyword-alerts\`); the same words again answer 200 with the existing alert.`,
        body: NewKeywordAlertBody,
        responses: { 201: { description: 'The new alert', schema: KeywordAlert }, 200: { description: 'I already had an alert for these words', schema: KeywordAlert } },
        problems: [400, 401, 409],
      },
      async ({ em, body, caller }) => {
        const { alert, created } = await createKeywordAlert(em, deps.config.keywordAlerts, caller.userId, body.keyword);
        return { status: created ? 201 : 200, body: presentAlert(alert) };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/me/keyword-alerts', operationId: 'listMyKeywordAlerts', tags, auth: 'required',
        description: 'The caller’s saved keywords; a new listing whose words match one notifies the caller.',
        summary: 'My keyword alerts, newest first',
        query: PageQuery,
        responses: { 200: { description: 'One page of alerts', schema: page(KeywordAlert) } },
        problems: [400, 401],
      },
      async ({ em, query, caller }) => ({ status: 200, body: presentPage(await listKeywordAlerts(em, caller.userId, query.cursor, query.limit), presentAlert) }),
    ),
    defineRoute(
      {
        method: 'delete', path: '/v1/me/keyword-alerts/:id', operationId: 'deleteKeywordAlert', tags, auth: 'required',
        summary: 'Remove one of my keyword alerts',
        description: "Another user's alert is a 404, as a missing one.",
        params: IdParams,
        responses: { 204: { description: 'Removed' } },
        problems: [400, 401, 404],
      },
      async ({ em, params, caller }) => {
        await deleteKeywordAlert(em, caller.userId, params.id);
        return { status: 204 };
      },
    ),
  ];
}
