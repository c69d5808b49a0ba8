import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import helmet from 'koa-helmet';
import { DomainError } from '../domain/errors.ts';
import type { AppDeps, AppState } from './context.ts';
import { adminCookieSession, adminPagesNameTheirOrigin, adminSessionRoutes } from './admin/admin-session.ts';
import { adminOnly, queueBoard } from './admin/queue-board.ts';
import { admission } from './middleware/admission.ts';
import { corsForOrigins } from './middleware/cors.ts';
import { authenticate } from './middleware/authenticate.ts';
import { entityManagerPerRequest } from './middleware/entity-manager.ts';
import { httpMetrics } from './middleware/http-metrics.ts';
import { problemHandler } from './middleware/problem.ts';
import { requestTimeout } from './middleware/request-timeout.ts';
import { requestContext } from './middleware/request-context.ts';
import { docsRouter } from './openapi/docs.ts';
import { buildOpenApiDocument } from './openapi/document.ts';
import type { Route } from './route.ts';
import { accountRoutes } from './routes/accounts.ts';
import { auctionEventRoutes } from './routes/auction-events.ts';
import { auctionRoutes } from './routes/auctions.ts';
import { blockRoutes } from './routes/blocks.ts';
import { chatRoutes } from './routes/chat.ts';
import { healthRoutes } from './routes/health.ts';
import { keywordAlertRoutes } from './routes/keyword-alerts.ts';
import { likeRoutes } from './routes/likes.ts';
import { listingRoutes } from './routes/listings.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { moderationRoutes } from './routes/moderation.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { offerRoutes } from './routes/offers.ts';
import { reviewRoutes } from './routes/reviews.ts';
import { tradeRoutes } from './routes/trades.ts';
import { uploadRoutes } from './routes/uploads.ts';
import { userEventRoutes } from './routes/user-events.ts';
import { webPage } from './web/web-page.ts';

export function apiRoutes(deps: AppDeps): Route[] {
  return [
    ...healthRoutes(deps),
    ...accountRoutes(deps),
    ...listingRoutes(deps),
    ...likeRoutes(deps),
    ...tradeRoutes(deps),
    ...reviewRoutes(deps),
    ...keywordAlertRoutes(deps),
    ...auctionRoutes(deps),
    ...auctionEventRoutes(deps),
    ...offerRoutes(deps),
    ...notificationRoutes(deps),
    ...userEventRoutes(deps),
    ...chatRoutes(deps),
    ...blockRoutes(deps),
    ...moderationRoutes(deps),
    ...uploadRoutes(deps),
    ...metricsRoutes(deps),
  ];
}

/** Where photo URLs point when that is not this service (S3 or a CDN in front of it). */
function photoOrigin(deps: AppDeps): string[] {
  const url = deps.objects.publicUrl('photo');
  return /^https?:\/\//.test(url) ? [new URL(url).origin] : [];
}

/** Builds the Koa application without listening, so tests can drive it in-process. */
export function createApp(deps: AppDeps): Koa<AppState> {
  const app = new Koa<AppState>();
  // Only the last `trustProxyHops` X-Forwarded-For entries were written by proxies of ours; the
  // leftmost of those is the client. Anything further left is the client's own invention.
  app.proxy = deps.config.trustProxyHops > 0;
  app.maxIpsCount = deps.config.trustProxyHops;
  const routes = apiRoutes(deps);
  const openApi = buildOpenApiDocument(routes);

  const router = new Router<AppState>();
  for (const route of routes) router[route.spec.method](route.spec.path, route.handle);
  router.get('/openapi.json', (ctx) => {
    ctx.body = openApi;
  });

  // Outermost: a refused request costs next to nothing (no body read, no log line).
  app.use(admission(deps.config.admission, { inFlight: deps.metrics.httpInFlight, shed: deps.metrics.httpShed }));
  app.use(requestContext(deps.logger));
  app.use(corsForOrigins(deps.config.corsOrigins));
  app.use(httpMetrics(deps.metrics));
  app.use(problemHandler({ dependencies: deps.dependencies, dependencyRetryAfterS: deps.config.dependencyRetryAfterS }));
  app.use(requestTimeout(deps.config.requestTimeoutMs));
  // The web page shows listing photos: from this origin, or from the bucket (or CDN) S3_PUBLIC_URL names.
  app.use(helmet({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:', ...photoOrigin(deps)] } } }));
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: deps.config.bodyLimit, encoding: 'utf-8' }));
  app.use(entityManagerPerRequest(deps.orm, deps.readOrm));
  app.use(authenticate(deps.accessTokens, deps.callerAccounts, { ownCredentials: new Set(['/metrics']) }));
  // Wraps the routers: what they leave without a body (no path matched, or allowedMethods set
  // 405/501 and an Allow header for a known path) becomes a problem+json answer.
  app.use(async (ctx, next) => {
    await next();
    if (ctx.body != null) return;
    if (ctx.status === 404) throw new DomainError('not_found', 'route-not-found', 'No such route.');
    if (ctx.status === 405 || ctx.status === 501) throw Object.assign(new Error(`This path answers ${ctx.response.get('Allow')}.`), { status: ctx.status, expose: true });
  });
  app.use(adminPagesNameTheirOrigin);
  app.use(adminSessionRoutes(deps));
  app.use(adminCookieSession(deps));
  app.use(adminOnly);
  app.use(queueBoard(deps.jobs));
  app.use(docsRouter().routes());
  app.use(webPage());
  app.use(router.routes());
  app.use(router.allowedMethods());
  // Errors are answered by problemHandler; this only keeps Koa from printing them a second time.
  app.silent = true;
  return app;
}
