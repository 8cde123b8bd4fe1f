/**
 * Bun adapter: serves Fetch handlers on `Bun.serve`. WebSocket upgrades go through
 * `server.upgrade(request, { data })`; Bun declares WebSocket callbacks once per server, so the
 * `websocket` object below must be passed to `Bun.serve` and finds each socket's handlers in
 * `ws.data`.
 *
 *   Bun.serve({ fetch: (request, server) => services.fetch(request, bunRuntime(request, server)), websocket });
 */
// Bun's own types, for `Bun.serve` in `serve` below; the exported types are the local ones.
import type { Server } from 'bun';
import { notFound, textResponse } from '../http.ts';
import type { RuntimeContext, ServerWebSocket, StreamingSource, WebSocketHandlers } from '../runtime.ts';

/** What this adapter keeps in `ws.data` of every WebSocket it accepts. */
export interface BunSocketData {
  sockjs: WebSocketHandlers;
}

// The parts of Bun's types this adapter uses, declared here so that the published declarations
// need no `@types/bun`. `serve` below hands Bun's own values to them, so `tsc` checks that Bun's
// `Server` and `ServerWebSocket` fit them and that `websocket` fits Bun's `WebSocketHandler`.

/** The parts of Bun's `Server` this adapter uses. */
export interface BunServer {
  readonly port: number | undefined;
  requestIP(request: Request): { address: string } | null;
  upgrade(request: Request, options: { data: BunSocketData }): boolean;
  timeout(request: Request, seconds: number): void;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/** The parts of Bun's `ServerWebSocket` this adapter uses. */
export interface BunServerWebSocket {
  readonly data: BunSocketData;
  send(data: string): number;
  close(code?: number, reason?: string): void;
  getBufferedAmount(): number;
}

/** Bun's `WebSocketHandler<BunSocketData>`, as far as this adapter fills it in. */
export interface BunWebSocketHandler {
  open(ws: BunServerWebSocket): void;
  message(ws: BunServerWebSocket, message: string | Uint8Array): void;
  close(ws: BunServerWebSocket, code: number, reason: string): void;
  drain(ws: BunServerWebSocket): void;
  backpressureLimit: number;
  closeOnBackpressureLimit: boolean;
}

/** Any handler in the core's shape: a Response, or `undefined` for "not mine". */
export type BunFetchHandler = (
  request: Request,
  runtime: RuntimeContext,
) => Response | undefined | Promise<Response | undefined>;

/**
 * Bytes Bun may queue on one WebSocket for a client that reads slower than the server writes.
 * Past it the connection is closed (see `send` below). Bun's own default, stated explicitly.
 */
const BACKPRESSURE_LIMIT = 16 * 1024 * 1024;

/** The shared WebSocket callbacks for `Bun.serve({ websocket })`. */
export const websocket: BunWebSocketHandler = {
  open(ws) {
    ws.data.sockjs.onOpen(new BunWebSocket(ws));
  },
  message(ws, message) {
    ws.data.sockjs.onMessage(message);
  },
  close(ws, code, reason) {
    ws.data.sockjs.onClose(code, reason, code !== 1006);
  },
  // Nothing is held back on our side while Bun drains its queue (see `send`), so there is
  // nothing to resume here.
  drain() {},
  backpressureLimit: BACKPRESSURE_LIMIT,
  closeOnBackpressureLimit: true,
};

/** One accepted socket as the core sees it: one object, not a closure per method. */
class BunWebSocket implements ServerWebSocket {
  readonly #ws: BunServerWebSocket;

  constructor(ws: BunServerWebSocket) {
    this.#ws = ws;
  }

  send(data: string): void {
    send(this.#ws, data);
  }

  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }

  bufferedAmount(): number {
    return this.#ws.getBufferedAmount();
  }
}

/**
 * `ws.send` reports backpressure instead of blocking: `> 0` bytes sent, `-1` queued in Bun
 * (the client is slow; it still arrives, in order), `0` dropped because the queue reached
 * `backpressureLimit` (or an empty message sent: 0 bytes). The core stops writing once
 * `bufferedAmount` passes its own threshold and keeps messages in the session's bounded queue,
 * so Bun's limit is a last resort: a client that
 * still lets it fill up loses its connection (`closeOnBackpressureLimit`) rather than silently
 * missing a frame, which would corrupt the SockJS stream. The session sees an ordinary close.
 */
function send(ws: BunServerWebSocket, data: string): void {
  // An empty message (a raw WebSocket may send one) also reports 0 bytes sent: not a drop.
  if (ws.send(data) === 0 && data !== '') ws.close(1011, 'Backpressure limit exceeded');
}

/**
 * The `RuntimeContext` for one request from `Bun.serve`. `env` is the fetch handler's second
 * argument: the server itself (also Hono's `c.env` under `Bun.serve({ fetch: app.fetch })`),
 * or an object with a `server` property.
 */
export function bunRuntime(request: Request, env: BunServer | { server: BunServer }): RuntimeContext {
  return createRuntime(request, 'server' in env ? env.server : env, () => {});
}

function createRuntime(request: Request, server: BunServer, onUpgrade: () => void): RuntimeContext {
  return {
    // Read before any upgrade: the request is consumed by it.
    remoteAddress: server.requestIP(request)?.address,
    upgradeWebSocket(original, handlers) {
      // Must be the Request object Bun.serve handed out: a copy makes upgrade() return false.
      if (!server.upgrade(original, { data: { sockjs: handlers } })) {
        return textResponse(400, 'Not a valid websocket request');
      }
      onUpgrade();
      // Bun has already answered 101 and ignores this Response.
      return new Response(null);
    },
    // Bun resets HTTP responses idle for 10 s; polling and streaming responses wait longer.
    keepAlive: () => server.timeout(request, 0),
    streamingBody: flushedPerFrame,
  };
}

/**
 * A streaming body that puts every frame on the wire as its own HTTP chunk. Bun writes what a
 * plain ReadableStream body yields within one tick as one chunk (the prelude with `o`, `o` with a
 * close frame); a direct stream sends each chunk at its `flush()`. The frames' own stream keeps
 * its bounded queue: `write()` or `flush()` returns a promise while the client's socket is full,
 * and nothing more is read from it until that resolves.
 */
function flushedPerFrame(
  source: StreamingSource,
  strategy: QueuingStrategy<Uint8Array>,
): ReadableStream<Uint8Array> {
  const reader = new ReadableStream(source, strategy).getReader();
  const stop = () => void reader.cancel().catch(() => {});
  return new DirectStream({
    type: 'direct',
    async pull(controller) {
      try {
        for (;;) {
          const next = await reader.read();
          if (next.done) break;
          const written = controller.write(next.value);
          // 0 bytes taken from a non-empty frame: the client is gone.
          if (written === 0) return stop();
          const flushed = controller.flush();
          // A promise from either: the client's socket is full; it resolves once drained.
          if (typeof written !== 'number') await written;
          else if (typeof flushed !== 'number') await flushed;
        }
        controller.close();
      } catch {
        stop();
      }
    },
    cancel: stop,
  });
}

/** `ReadableStream` as Bun types it: the DOM's constructor (also in scope here) lacks direct sources. */
const DirectStream = ReadableStream as unknown as new (
  source: Bun.DirectUnderlyingSource<Uint8Array>,
) => ReadableStream<Uint8Array>;

export interface BunServeOptions {
  fetch: BunFetchHandler;
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  hostname?: string;
}

export interface RunningBunServer {
  server: BunServer;
  /** `http://host:port` */
  url: string;
  /** Stops accepting connections and ends open ones. */
  close(): Promise<void>;
}

/** Starts `Bun.serve` for `fetch`; it listens by the time this returns. */
export function serve(options: BunServeOptions): RunningBunServer {
  const hostname = options.hostname ?? '127.0.0.1';
  const server: Server<BunSocketData> = Bun.serve<BunSocketData>({
    port: options.port ?? 0,
    hostname,
    websocket,
    // Not an async function: one reaction on the handler's promise, none on a Response.
    fetch(request, server) {
      let upgraded = false;
      const runtime = createRuntime(request, server, () => {
        upgraded = true;
      });
      // After a successful upgrade Bun expects no Response at all.
      const answerOf = (response: Response | undefined) => (upgraded ? undefined : (response ?? notFound()));
      const answer = options.fetch(request, runtime);
      return answer instanceof Promise ? answer.then(answerOf) : answerOf(answer);
    },
    // Whatever escapes a handler: a plain 500, not Bun's development error page (tens of KB,
    // with source excerpts) that it serves when `development` is on, its default.
    error(error) {
      console.error(`sockjs-fetch: a request failed: ${error.stack ?? error.message}`);
      return textResponse(500, '500 - Internal Server Error');
    },
  });
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    server,
    url: `http://${host}:${server.port}`,
    close: () => server.stop(true),
  };
}
