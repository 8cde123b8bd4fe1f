/**
 * Several SockJS services (one per prefix) behind one Fetch handler.
 */

import { notFound } from './http.ts';
import type { RuntimeContext } from './runtime.ts';
import type { SockJSServer } from './server.ts';

export interface SockJSServices {
  readonly servers: readonly SockJSServer[];
  /** True when some service's prefix covers the URL. */
  owns(url: URL): boolean;
  /** The owning service's response, or `undefined` when none owns the request. */
  handle(request: Request, runtime?: RuntimeContext): Promise<Response | undefined>;
  /** Like `handle`, with the protocol's 404 for requests no service owns. */
  fetch(request: Request, runtime?: RuntimeContext): Promise<Response>;
}

export function combineServices(servers: readonly SockJSServer[]): SockJSServices {
  // Longest prefix first, so `/echo/deep` wins over `/echo` for its own paths.
  const ordered = [...servers].sort((a, b) => b.options.prefix.length - a.options.prefix.length);
  const find = (url: URL) => ordered.find((server) => server.owns(url));
  const handle = async (request: Request, runtime?: RuntimeContext) =>
    find(new URL(request.url))?.handle(request, runtime);
  return {
    servers,
    owns: (url) => find(url) !== undefined,
    handle,
    fetch: async (request, runtime) => (await handle(request, runtime)) ?? notFound(),
  };
}
