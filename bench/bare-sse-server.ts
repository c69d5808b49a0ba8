/**
 * The baseline of bench:sse: a bare node:http server holding N event-stream responses open and
 * writing each frame to all of them, one serialisation per frame, nothing else (no framework, no
 * Redis, no database). Run as a child process by bench/sse.ts: it prints its port, then writes
 * a frame to every open response on each line it reads from stdin (the line is the frame's data
 * with `"at":0`, which it stamps with the time it starts writing).
 */
import http from 'node:http';
import { createInterface } from 'node:readline';

const open = new Set<http.ServerResponse>();
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.write('retry: 2000\n: connected\n\n');
  open.add(res);
  req.on('close', () => open.delete(res));
});
server.keepAliveTimeout = 0;
server.listen(0, '127.0.0.1', () => console.log((server.address() as { port: number }).port));
let seq = 0;
createInterface({ input: process.stdin }).on('line', (line) => {
  seq++;
  const data = line.replace('"at":0', `"at":"${new Date().toISOString()}"`).replace('"seq":0', `"seq":${seq}`);
  const frame = `id: ${seq}\nevent: bid\ndata: ${data}\n\n`;
  for (const res of open) res.write(frame);
});
