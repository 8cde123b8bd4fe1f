/**
 * Several SockJS services (one per prefix) behind one Fetch handler.
 */
import { badRequestNoHost, notFound, requestUrl } from './http.ts';
import type { SockJSServerOptions } from './options.ts';
import type { RuntimeContext } from './runtime.ts';
import { adapterHooks, SockJSServer } from './server.ts';

/**
 * A service described rather than built, so every runtime can build it where its sessions live
 * (in-process on Node, Deno and Bun; inside Durable Objects on Workers).
 */
export interface SockJSServiceDefinition<Env = unknown> {
  /** Options of the service, `prefix` included. */
  options: SockJSServerOptions & { prefix: string };
  /**
   * Workers only: names the Durable Object that holds a session. Default: one object per
   * session (and one per raw WebSocket). Return a constant (a room) to put sessions together
   * so they can reach each other, e.g. for broadcast. `sessionId` is null for raw WebSockets.
   */
  objectName?: (sessionId: string | null, request: Request) => string;
  /**
   * Workers only: the sustained rate, in bytes per second, at which one WebSocket connection is
   * sent messages (workerd cannot tell how much a client has not read yet; see README, Workers).
   * Beyond it messages wait in the session's queue; when that overflows the session closes with
   * `c[1013,"Message queue full"]`. Default 1048576 (1 MiB/s).
   */
  webSocketBytesPerSecond?: number;
  /** Attaches the application's listeners to the service's server. */
  setup(server: SockJSServer, env: Env): void;
}

export interface SockJSServices {
  readonly servers: readonly SockJSServer[];
  /** True when some service's prefix covers the URL. */
  owns(url: URL): boolean;
  /** The server whose prefix covers the URL (the longest such prefix), if any. */
  owner(url: URL): SockJSServer | undefined;
  /** The owning service's response, or `undefined` when none owns the request. */
  handle(request: Request, runtime?: RuntimeContext): Promise<Response | undefined>;
  /** Like `handle`, with the protocol's 404 for requests no service owns. */
  fetch(request: Request, runtime?: RuntimeContext): Promise<Response>;
}

export function combineServices(servers: readonly SockJSServer[]): SockJSServices {
  // Longest prefix first, so `/echo/deep` wins over `/echo` for its own paths.
  const ordered = [...servers].sort((a, b) => b.options.prefix.length - a.options.prefix.length);
  const owner = (url: URL) => {
    // The path read once, not once per service.
    const pathname = url.pathname;
    return ordered.find((server) => adapterHooks.ownsPath(server, pathname));
  };
  // Not async, and the URL parsed once for the owner lookup and its server: per-request cost.
  const handle = (request: Request, runtime: RuntimeContext = {}): Promise<Response | undefined> => {
    const url = requestUrl(request);
    if (url === null) return Promise.resolve(badRequestNoHost());
    const server = owner(url);
    if (server === undefined) return Promise.resolve(undefined);
    return adapterHooks.handleAt(server, request, url, runtime);
  };
  return {
    servers,
    owns: (url) => owner(url) !== undefined,
    owner,
    handle,
    fetch: async (request, runtime) => (await handle(request, runtime)) ?? notFound(),
  };
}

/** Builds every defined service in this process, with `env` handed to each `setup`. */
export function buildServices<Env>(
  definitions: readonly SockJSServiceDefinition<Env>[],
  env: Env,
): SockJSServices {
  return combineServices(
    definitions.map((definition) => {
      const server = new SockJSServer(definition.options);
      definition.setup(server, env);
      return server;
    }),
  );
}
