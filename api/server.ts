import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import type { AppDeps } from './context.ts';

export interface RunningApi {
  server: Server;
  port: number;
  /** Stops taking connections, lets in-flight requests finish (up to `graceMs`), then resolves. */
  close(graceMs?: number): Promise<void>;
}

export async function listen(deps: AppDeps, port = deps.config.port): Promise<RunningApi> {
  const server = createServer(createApp(deps).callback());
  // Longer than a typical load balancer's idle timeout, so it never reuses a socket we just closed.
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
    async close(graceMs = 10_000) {
      deps.lifecycle.shuttingDown = true;
      // Open event streams would hold the server open; each is ended with a retry hint so its
      // client reconnects, to another instance behind the load balancer.
      deps.streams.endAll('server shutting down');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
