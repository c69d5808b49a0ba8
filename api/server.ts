import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { createApp } from './app.ts';
import { PROBLEM_TYPE_BASE } from './middleware/problem.ts';
import type { AppDeps } from './context.ts';

/** How long a shutting-down server waits without a request before it closes idle connections. */
const QUIET_BEFORE_CLOSE_MS = 500;

export interface RunningApi {
  server: Server;
  port: number;
  /** Drains (not-ready for `drainMs`), stops taking connections, lets in-flight requests finish (up to `graceMs`). */
  close(graceMs?: number, drainMs?: number): Promise<void>;
}

/**
 * The connections of one listener and whether each is between requests, so that a shutdown can
 * hand them back one by one instead of cutting them.
 */
class Connections {
  private readonly idleSince = new Map<Socket, number>();
  private readonly responses = new Set<ServerResponse>();
  /** Once set, every response tells its client not to reuse the connection. */
  handingBack = false;
  private lastRequestAt = 0;

  track(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.idleSince.set(socket, Date.now());
      socket.once('close', () => this.idleSince.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.idleSince.set(req.socket, Infinity);
      this.lastRequestAt = Date.now();
      this.responses.add(res);
      if (this.handingBack) res.shouldKeepAlive = false;
      res.once('close', () => {
        this.responses.delete(res);
        if (this.idleSince.has(req.socket)) this.idleSince.set(req.socket, Date.now());
      });
    });
  }

  /** From now on each response, including those under way, closes its connection after it. */
  handBack() {
    this.handingBack = true;
    for (const res of this.responses) if (!res.headersSent) res.shouldKeepAlive = false;
  }

  /**
   * Closes idle connections once no request has come for `ms`. While handing back, a client still
   * sending here reaches ever deeper into its pool of idle connections, each handed back in turn;
   * closing those under it would race its next write. Once requests stop, a client is either gone
   * elsewhere (its pool here used up) or idle, and a connection just accepted has sent its request.
   */
  closeIdle(ms: number) {
    const now = Date.now();
    if (now - this.lastRequestAt < ms) return;
    for (const [socket, since] of this.idleSince) if (now - since >= ms) socket.destroy();
  }
}

export async function listen(deps: AppDeps, port = deps.config.port): Promise<RunningApi> {
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Koa's handler answers its own errors (ctx.onerror): its promise never rejects
  const server = createServer(createApp(deps).callback());
  const connections = new Connections();
  connections.track(server);
  // Longer than a typical load balancer's idle timeout, so it never reuses a socket we just closed.
  // Requests Node's own parser refuses (headers over its limit, garbage) never reach Koa: answer
  // them as problem+json too, then close the connection.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (error.code === 'ECONNRESET')) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const title = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
    const code = status === 431 ? 'headers-too-large' : status === 408 ? 'request-timeout' : 'malformed-request';
    // The one malformed request a well-meaning client sends: a path or query with raw non-ASCII
    // (an unencoded Korean search word). Say how to fix it.
    const detail =
      error.code === 'HPE_INVALID_URL'
        ? 'The request target has a character that must be percent-encoded (UTF-8): for example q=%EC%9D%98%EC%9E%90 for q=의자, as encodeURIComponent does.'
        : undefined;
    const body = JSON.stringify({ type: `${PROBLEM_TYPE_BASE}${code}`, title, status, ...(detail ? { detail } : {}) });
    socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close(graceMs = 10_000, drainMs = deps.config.shutdownDrainMs) {
      // 1. Report not-ready but keep serving, keep-alive included, so load balancers stop sending
      //    here. Clients that do not ask keep their connections and open no new ones, so the
      //    accept queue is empty when the listener closes (closing a listener resets whatever
      //    connections wait in its queue: those clients would see ECONNRESET, not a refusal).
      deps.lifecycle.shuttingDown = true;
      if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
      // 2. Open event streams would hold the server open; each ends with a retry hint so its
      //    client reconnects, to another instance behind the load balancer.
      deps.streams.endAll('server shutting down');
      // 3. Stop listening: a new connection is now refused, which every client can safely retry
      //    elsewhere. Each connection still open is handed back with its next response
      //    (`Connection: close`); one idle for a moment is closed (a client writing onto it right
      //    then is the one race HTTP/1.1 leaves, and an active client reuses its newest
      //    connections first, so it finds them closed by a response instead). Whatever is still
      //    open after the grace time is cut.
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      connections.handBack();
      const sweep = setInterval(() => connections.closeIdle(QUIET_BEFORE_CLOSE_MS), 50);
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
    },
  };
}
