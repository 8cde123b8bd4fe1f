/**
 * Deno adapter: serves Fetch handlers on `Deno.serve`; WebSocket upgrades go through
 * `Deno.upgradeWebSocket` on the original request.
 *
 *   Deno.serve((request, info) => services.fetch(request, denoRuntime(request, info)));
 *
 * Imports nothing outside the core, so `deno run` needs no npm packages.
 */
import { notFound } from '../http.ts';
import type { RuntimeContext, WebSocketHandlers } from '../runtime.ts';

/** Any handler in the core's shape: a Response, or `undefined` for "not mine". */
export type DenoFetchHandler = (
  request: Request,
  runtime: RuntimeContext,
) => Response | undefined | Promise<Response | undefined>;

// The parts of Deno's types this adapter uses, declared here so that the published declarations
// need no `Deno` namespace (`@types/deno`). `serve` below hands Deno's own values to them, so
// `tsc` checks that `Deno.ServeHandlerInfo` and `Deno.HttpServer` fit them.

/** `Deno.ServeHandlerInfo`: `remoteAddr` is a `Deno.NetAddr` (with `hostname`) for TCP. */
export interface DenoServeHandlerInfo {
  readonly remoteAddr: { readonly transport: string };
}

/** The parts of `Deno.HttpServer` this adapter uses. */
export interface DenoHttpServer {
  readonly addr: { readonly hostname: string; readonly port: number };
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The `RuntimeContext` for one request from `Deno.serve` (`info` is the handler's second
 * argument, which is also Hono's `c.env` under `Deno.serve(app.fetch)`).
 */
export function denoRuntime(_request: Request, info?: DenoServeHandlerInfo): RuntimeContext {
  return {
    // Read now: once the request is upgraded, `info.remoteAddr` throws "Request closed".
    remoteAddress: addressOf(info),
    upgradeWebSocket(request, handlers) {
      // Must be the Request object Deno.serve handed out: a copy fails the handshake.
      const { socket, response } = Deno.upgradeWebSocket(request);
      bindWebSocket(socket, handlers);
      return response;
    },
    // Deno.serve has no idle timeout on responses, so `keepAlive` has nothing to lift.
  };
}

function addressOf(info: DenoServeHandlerInfo | undefined): string | undefined {
  const addr = info?.remoteAddr;
  return addr !== undefined && 'hostname' in addr && typeof addr.hostname === 'string'
    ? addr.hostname
    : undefined;
}

function bindWebSocket(socket: WebSocket, handlers: WebSocketHandlers): void {
  socket.binaryType = 'arraybuffer';
  socket.addEventListener('open', () => {
    handlers.onOpen({
      send: (data) => socket.send(data),
      bufferedAmount: () => socket.bufferedAmount,
      close: (code, reason) => {
        try {
          socket.close(code, reason);
        } catch {
          // A code or reason the WebSocket API rejects (reserved code, reason > 123 bytes).
          socket.close(1000);
        }
      },
    });
  });
  socket.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
    handlers.onMessage(event.data);
  });
  // An 'error' is always followed by 'close', which is all the core needs.
  socket.addEventListener('close', (event) => handlers.onClose(event.code, event.reason, event.wasClean));
}

export interface DenoServeOptions {
  fetch: DenoFetchHandler;
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  hostname?: string;
}

export interface RunningDenoServer {
  server: DenoHttpServer;
  /** `http://host:port` */
  url: string;
  /** Stops accepting connections and ends open ones. */
  close(): Promise<void>;
}

/** Starts `Deno.serve` for `fetch`; it listens by the time this returns. */
export function serve(options: DenoServeOptions): RunningDenoServer {
  const hostname = options.hostname ?? '127.0.0.1';
  const controller = new AbortController();
  const server = Deno.serve(
    {
      port: options.port ?? 0,
      hostname,
      signal: controller.signal,
      // Replaces Deno's own "Listening on ..." line; the caller prints what it needs.
      onListen: () => {},
    },
    async (request, info) => (await options.fetch(request, denoRuntime(request, info))) ?? notFound(),
  );
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    server,
    url: `http://${host}:${server.addr.port}`,
    close: async () => {
      // Aborting also ends streaming responses, which `shutdown()` alone would wait for.
      controller.abort();
      await server.finished;
    },
  };
}
