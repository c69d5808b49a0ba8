import http from 'node:http';

/**
 * Requests sent byte for byte as built: unlike fetch, node:http leaves `..`, `%2F` and odd
 * percent-escapes in the path alone and lets a header repeat, so the server sees what a hostile
 * client would send.
 */
export interface RawRequest {
  method: string;
  /** Path and query string, already percent-encoded (characters U+0021..U+00FF only). */
  target: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Sent with Transfer-Encoding: chunked (in two chunks) instead of a Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** An event stream that was cut as soon as its head arrived. */
  cutStream: boolean;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const MAX_BODY = 256 * 1024;

export class NoAnswer extends Error {
  override name = 'NoAnswer';
}

export function send(baseUrl: string, request: RawRequest, timeoutMs: number): Promise<RawResponse> {
  const base = new URL(baseUrl);
  const headers: Record<string, string | string[]> = { ...request.headers };
  if (request.body && !request.chunked) headers['content-length'] = String(request.body.length);
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(new NoAnswer(error.name === 'TimeoutError' || error.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : `${error.name}: ${error.message}`));
    };
    const req = http.request(
      { host: base.hostname, port: base.port, method: request.method, path: request.target, headers, agent, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          settled = true;
          res.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '', cutStream: true });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), cutStream: false });
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    if (request.body && request.chunked) {
      const half = Math.floor(request.body.length / 2);
      req.write(request.body.subarray(0, half));
      req.end(request.body.subarray(half));
    } else {
      req.end(request.body);
    }
  });
}

export function closeAgent(): void {
  agent.destroy();
}
