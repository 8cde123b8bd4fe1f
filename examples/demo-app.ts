/**
 * The demo's own routes next to the SockJS services, defined once for every entrypoint:
 *   GET /               the chat page (examples/demo-page.ts)
 *   GET /lib/sockjs.js  sockjs-client's browser build, embedded (examples/sockjs-client-bundle.ts)
 * Everything else falls through to the services. `withDemoPages(handler)` wraps any Fetch-style
 * handler (Node, Deno, Bun, the Worker's `fetch`); Hono uses `demoPages` as a middleware.
 */
import { demoPage } from './demo-page.ts';
import { type DemoOptions, demoClientUrl, SOCKJS_CLIENT_PATH } from './demo-services.ts';
import { SOCKJS_CLIENT_SOURCE, SOCKJS_CLIENT_VERSION } from './sockjs-client-bundle.ts';

/** Answers the demo's own routes; `undefined` for every other request. */
export type DemoPages = (request: Request) => Response | undefined;

const CLIENT_ETAG = `"sockjs-client-${SOCKJS_CLIENT_VERSION}"`;

function clientScript(request: Request): Response {
  const headers = new Headers({
    'Content-Type': 'application/javascript; charset=UTF-8',
    'Cache-Control': 'public, max-age=3600',
    ETag: CLIENT_ETAG,
    // The page and the iframe of a different origin both load it.
    'Access-Control-Allow-Origin': '*',
  });
  if (request.headers.get('If-None-Match') === CLIENT_ETAG) {
    headers.delete('Content-Type');
    return new Response(null, { status: 304, headers });
  }
  return new Response(request.method === 'HEAD' ? null : SOCKJS_CLIENT_SOURCE, { headers });
}

/**
 * The demo's routes for the services built from `options`: the page loads the same client script
 * as their iframe page (`/lib/sockjs.js` unless `common.sockjsUrl` says otherwise).
 */
export function demoPages(options: DemoOptions = {}): DemoPages {
  const page = demoPage(demoClientUrl(options));
  return (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    // Bun hands a bare path when the Host header is missing: the services answer that one (400).
    if (!URL.canParse(request.url)) return undefined;
    const { pathname } = new URL(request.url);
    if (pathname === SOCKJS_CLIENT_PATH) return clientScript(request);
    if (pathname !== '/') return undefined;
    return new Response(request.method === 'HEAD' ? null : page, {
      headers: { 'Content-Type': 'text/html; charset=UTF-8', 'Cache-Control': 'no-cache' },
    });
  };
}

/** `handler` with the demo's routes in front of it; same arguments, same "not mine" result. */
export function withDemoPages<Args extends unknown[], Result extends Response | undefined>(
  handler: (request: Request, ...args: Args) => Result | Promise<Result>,
  options: DemoOptions = {},
): (request: Request, ...args: Args) => Promise<Response | Result> {
  const pages = demoPages(options);
  return async (request, ...args) => pages(request) ?? handler(request, ...args);
}
