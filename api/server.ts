import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { PROBLEM_TYPE_BASE } from './middleware/problem.ts';
import type { AppDeps } from './context.ts';

export interface RunningApi {
  server: Server;
  port: number;
  /** Drains (not-ready for `drainMs`), stops taking connections, lets in-flight requests finish (up to `graceMs`). */
  close(graceMs?: number, drainMs?: number): Promise<void>;
}

export async function listen(deps: AppDeps, port = deps.config.port): Promise<RunningApi> {
  const server = createServer(createApp(deps).callback());
  // Longer than a typical load balancer's idle timeout, so it never reuses a socket we just closed.
  // Requests Node's own parser refuses (headers over its limit, garbage) never reach Koa: answer
  // them as problem+json too, then close the connection.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (error.code === 'ECONNRESET')) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const title = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
    const code = status === 431 ? 'headers-too-large' : status === 408 ? 'request-timeout' : 'malformed-request';
    const body = JSON.stringify({ type: `${PROBLEM_TYPE_BASE}${code}`, title, status });
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
      // 1. Report not-ready but keep serving for a moment, so load balancers stop sending here.
      deps.lifecycle.shuttingDown = true;
      if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
      // 2. Open event streams would hold the server open; each ends with a retry hint so its
      //    client reconnects, to another instance behind the load balancer.
      deps.streams.endAll('server shutting down');
      // 3. Stop listening, but do not yet touch accepted connections: one accepted a moment ago
      //    may not have sent its request yet and would count as idle (http.Server#close would
      //    reset it). Once such requests had time to arrive, idle connections are closed as they
      //    become idle; whatever is still open after the grace time is cut.
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
    },
  };
}
