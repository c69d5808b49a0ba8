import Router from '@koa/router';
import type { Middleware } from 'koa';
import { adminLogin } from '../../domain/accounts/admin-login.ts';
import { findCallerAccount } from '../../domain/accounts/find-caller.ts';
import { closeLogin } from '../../domain/accounts/refresh.ts';
import { loginIsOpen } from '../../domain/accounts/refresh-tokens.ts';
import { DomainError, forbidden, invalid } from '../../domain/errors.ts';
import type { AppDeps, AppState, AppContext } from '../context.ts';
import { LoginBody } from '../schemas/accounts.ts';
import { loginPage } from './login-page.ts';
import { QUEUE_BOARD_PATH } from './queue-board.ts';

/**
 * Operators in a browser. The session cookie holds the admin's access token itself: signed, as
 * short-lived as JWT_ACCESS_TTL_S, and checked on every request against the account (role,
 * suspension) and the login it belongs to (closed by logout), as a Bearer header is.
 */
export const ADMIN_COOKIE = 'gavel_admin';
const COOKIE_PATH = '/admin';
const FORM_LIMIT_BYTES = 4096;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const cookieOptions = (ctx: AppContext, maxAgeMs: number) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  path: COOKIE_PATH,
  // ctx.secure believes X-Forwarded-Proto only from the proxies TRUST_PROXY_HOPS names.
  secure: ctx.secure,
  maxAge: maxAgeMs,
  overwrite: true,
});

const clearCookie = (ctx: AppContext) => ctx.cookies.set(ADMIN_COOKIE, '', { ...cookieOptions(ctx, 0), expires: new Date(0) });

/**
 * Under /admin the browser must name this origin on its state-changing requests, since those are
 * checked for it. helmet's `Referrer-Policy: no-referrer` makes browsers send `Origin: null` on a
 * same-origin form post or fetch (the Fetch standard serializes the origin by the referrer policy),
 * which refused the login form and every Bull Board action from real browsers; `same-origin` keeps
 * the Origin (and Referer) for this service's own pages and still sends nothing to other sites.
 */
export const adminPagesNameTheirOrigin: Middleware<AppState> = async (ctx, next) => {
  if (ctx.path === '/admin' || ctx.path.startsWith('/admin/')) ctx.set('Referrer-Policy', 'same-origin');
  await next();
};

/** GET/POST /admin/login and POST /admin/logout, mounted beside the board rather than in the API document. */
export function adminSessionRoutes(deps: AppDeps): Middleware<AppState> {
  const router = new Router<AppState>();
  const accountDeps = {
    accessTokens: deps.accessTokens,
    refreshTokenTtlS: deps.config.refreshTokenTtlS,
    loginThrottle: deps.loginThrottle,
    followUps: deps.followUps,
  };

  router.get('/admin/login', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = loginPage();
  });

  router.post('/admin/login', async (ctx) => {
    requireOwnOriginIfSent(ctx);
    const isForm = Boolean(ctx.request.is('application/x-www-form-urlencoded'));
    const raw = isForm ? await readForm(ctx) : ctx.request.body;
    const parsed = LoginBody.safeParse(raw);
    if (!parsed.success) throw invalid('invalid-login-form', 'Send phone (E.164, e.g. +821012345678) and password, as a form or as JSON.');
    const { caller } = await adminLogin(ctx.state.em, accountDeps, { ...parsed.data, address: ctx.ip });
    const token = deps.accessTokens.issue(caller);
    ctx.cookies.set(ADMIN_COOKIE, token, cookieOptions(ctx, deps.config.jwt.accessTtlS * 1000));
    ctx.set('Cache-Control', 'no-store');
    if (isForm) {
      ctx.status = 303;
      ctx.redirect(QUEUE_BOARD_PATH);
    } else {
      ctx.status = 204;
    }
  });

  router.post('/admin/logout', async (ctx) => {
    const token = ctx.cookies.get(ADMIN_COOKIE);
    if (token) {
      requireOwnOrigin(ctx);
      const caller = verifyQuietly(deps, token);
      if (caller) await closeLogin(ctx.state.em, deps.followUps, caller);
    }
    clearCookie(ctx);
    ctx.status = 303;
    ctx.redirect('/admin/login');
  });

  return router.routes() as Middleware<AppState>;
}

/**
 * Accepts the session cookie under /admin where no Bearer header was sent. A bad, expired or closed
 * cookie is cleared and counts as no credential (adminOnly answers 401). State-changing calls that
 * ride on the cookie must come from this service's own pages (Origin, else Referer): a defence
 * beside SameSite=Strict for browsers or proxies that drop it.
 */
export function adminCookieSession(deps: AppDeps): Middleware<AppState> {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/admin/') || ctx.state.caller || ctx.get('Authorization')) return next();
    const token = ctx.cookies.get(ADMIN_COOKIE);
    if (!token) return signInFirst(ctx, next);
    const caller = verifyQuietly(deps, token);
    const account = caller && (await findCallerAccount(ctx.state.em, caller.userId));
    if (!caller || !account || account.suspended || !caller.sessionId || !(await loginIsOpen(ctx.state.em, caller.sessionId))) {
      clearCookie(ctx);
      return signInFirst(ctx, next);
    }
    if (!SAFE_METHODS.has(ctx.method)) requireOwnOrigin(ctx);
    ctx.state.caller = { userId: caller.userId, role: account.role, sessionId: caller.sessionId };
    await next();
  };
}

/** A browser asking for the board's page without a session is sent to the form; API callers get the 401. */
function signInFirst(ctx: AppContext, next: () => Promise<unknown>) {
  const wantsPage = ctx.method === 'GET' && (ctx.path === QUEUE_BOARD_PATH || ctx.path === `${QUEUE_BOARD_PATH}/`) && ctx.get('Accept').includes('text/html');
  if (!wantsPage) return next();
  ctx.redirect('/admin/login');
}

function verifyQuietly(deps: AppDeps, token: string) {
  try {
    return deps.accessTokens.verify(token);
  } catch (error) {
    if (error instanceof DomainError) return null;
    throw error;
  }
}

/** The origin a browser says the request came from: Origin, else the Referer's origin. */
function claimedOrigin(ctx: AppContext): string | null {
  const origin = ctx.get('Origin');
  if (origin) return origin;
  const referer = ctx.get('Referer');
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return 'invalid';
  }
}

/** This service's origin as the browser sees it (Koa 3's ctx.origin is the request's Origin header). */
const ownOrigin = (ctx: AppContext) => `${ctx.protocol}://${ctx.host}`;

function requireOwnOrigin(ctx: AppContext): void {
  if (claimedOrigin(ctx) !== ownOrigin(ctx)) throw forbidden('cross-origin-request', 'This call must come from the operators\' own pages (Origin or Referer of this service).');
}

/** A login form may be posted by tools without an Origin, but never from another site's page. */
function requireOwnOriginIfSent(ctx: AppContext): void {
  const claimed = claimedOrigin(ctx);
  if (claimed !== null && claimed !== ownOrigin(ctx)) requireOwnOrigin(ctx);
}

/** The form body: the JSON-only body parser leaves it unread. */
async function readForm(ctx: AppContext): Promise<Record<string, string>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FORM_LIMIT_BYTES) throw Object.assign(new Error('The form is too large.'), { status: 413, expose: true });
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
