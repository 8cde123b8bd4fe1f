/**
 * The test page on an origin of its own: a second HTTP server on 127.0.0.1 (another port, so
 * another origin, as when a site embeds a SockJS service it does not serve). The page loads
 * sockjs-client from the SockJS server under test, as such a site would, and the in-page harness
 * (`harness.js`) from here.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const HARNESS_SOURCE = readFileSync(new URL('./harness.js', import.meta.url), 'utf8');

export interface PageServer {
  /** The page's URL, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  close(): Promise<void>;
}

function testPage(sockjsOrigin: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>sockjs-client on another origin</title>
  <script src="${sockjsOrigin}/lib/sockjs.js"></script>
  <script src="/harness.js"></script>
</head>
<body>
  <p>SockJS browser test page, on an origin of its own.</p>
</body>
</html>
`;
}

/** Serves the test page for a SockJS server at `sockjsOrigin` (e.g. `http://127.0.0.1:8081`). */
export function startPageServer(sockjsOrigin: string): Promise<PageServer> {
  const page = testPage(sockjsOrigin);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const [type, body] =
      path === '/'
        ? ['text/html; charset=UTF-8', page]
        : path === '/harness.js'
          ? ['application/javascript; charset=UTF-8', HARNESS_SOURCE]
          : [null, null];
    if (type === null) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
