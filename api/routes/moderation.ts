import { assertAdmin } from '../../domain/moderation/admin.ts';
import { hideListing } from '../../domain/moderation/hide-listing.ts';
import { createReport, listReports, type ReportView } from '../../domain/moderation/reports.ts';
import { suspendUser } from '../../domain/moderation/suspend-user.ts';
import type { AppDeps } from '../context.ts';
import { presentPage } from '../presenters/listings.ts';
import { defineRoute, type Route } from '../route.ts';
import { IdParams, page, PageQuery } from '../schemas/common.ts';
import { CreateReportBody, Hiding, Report, Suspension } from '../schemas/moderation.ts';

const presentReport = (r: ReportView) => ({ ...r, createdAt: r.createdAt.toISOString() });

export function moderationRoutes(deps: AppDeps): Route[] {
  const tags = ['Moderation'];
  return [
    defineRoute(
      {
        method: 'post', path: '/v1/reports', operationId: 'createReport', tags, auth: 'required',
        summary: 'Report a listing, a user or a message to the admins',
        description: 'One report per reporter and target: reporting again answers 200 with the first. A message can be reported only by the two parties of its conversation.',
        body: CreateReportBody,
        responses: { 201: { description: 'The report', schema: Report }, 200: { description: 'The earlier report of the same target', schema: Report } },
        problems: [400, 401, 404],
      },
      async ({ em, body, caller }) => {
        const { report, created } = await createReport(em, caller.userId, body);
        return { status: created ? 201 : 200, body: presentReport(report) };
      },
    ),
    defineRoute(
      {
        method: 'get', path: '/v1/admin/reports', operationId: 'listReports', tags, auth: 'required',
        description: 'Reports users filed on listings, users and messages, for admins to act on (403 for others).',
        summary: 'Reports, newest first (admins)',
        query: PageQuery,
        responses: { 200: { description: 'One page of reports', schema: page(Report) } },
        problems: [400, 401, 403],
      },
      async ({ em, query, caller }) => {
        assertAdmin(caller);
        return { status: 200, body: presentPage(await listReports(em, query.cursor, query.limit), presentReport) };
      },
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/admin/users/:id/suspend', operationId: 'suspendUser', tags, auth: 'required',
        summary: 'Suspend an account (admins)',
        description: 'Its tokens are refused from the next request, its sessions revoked, its own streams ended, its conversations read-only. Suspending twice keeps the first time.',
        params: IdParams,
        responses: { 200: { description: 'The suspension', schema: Suspension } },
        problems: [400, 401, 403, 404],
      },
      async ({ em, params, caller }) => {
        assertAdmin(caller);
        const { suspendedAt } = await suspendUser(em, deps.followUps, caller.userId, params.id);
        // Refused at once here; other instances drop their copy when PostgreSQL's NOTIFY reaches them.
        deps.callerAccounts.forget(params.id);
        return { status: 200, body: { userId: params.id, suspendedAt: suspendedAt.toISOString() } };
      },
    ),
    defineRoute(
      {
        method: 'post', path: '/v1/admin/listings/:id/hide', operationId: 'hideListing', tags, auth: 'required',
        summary: 'Hide a listing (admins)',
        description: 'It leaves search, and its page answers 404 to everyone but its seller.',
        params: IdParams,
        responses: { 200: { description: 'The hiding', schema: Hiding } },
        problems: [400, 401, 403, 404],
      },
      async ({ em, params, caller }) => {
        assertAdmin(caller);
        const { hiddenAt } = await hideListing(em, params.id);
        return { status: 200, body: { listingId: params.id, hiddenAt: hiddenAt.toISOString() } };
      },
    ),
  ];
}
