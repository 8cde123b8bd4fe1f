/**
 * Node adapter: serves Fetch handlers on `node:http`. Plain requests go through
 * `@hono/node-server`'s request listener (streamed bodies, abort signals); WebSocket upgrades
 * go to `ws` in noServer mode, driven by the core's `upgradeWebSocket` hook.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { isStreamingResponse, notFound } from '../http.ts';
import type { RuntimeContext, ServerWebSocket, WebSocketHandlers } from '../runtime.ts';
import { readIncomingText } from './node-body.ts';
import { NodeFrameSink, readReady, textBytes, writeStreamingResponse } from './node-response.ts';

/** Any handler in the core's shape: a Response, or `undefined` for "not mine". */
export type FetchHandler = (
  request: Request,
  runtime: RuntimeContext,
) => Response | undefined | Promise<Response | undefined>;

export interface NodeHandlerOptions {
  /** Largest WebSocket message `ws` will buffer, in bytes. Default 16 MiB. */
  maxWebSocketPayload?: number;
  /**
   * Milliseconds between WebSocket pings. A socket that has not answered the previous ping with
   * a pong by the next one is terminated, and its session closes (1006): `ws` never notices a
   * silently dead peer by itself. Default 30000; 0 turns pings off.
   */
  webSocketPingInterval?: number;
}

/** Default of `webSocketPingInterval`. */
export const DEFAULT_WEBSOCKET_PING_INTERVAL = 30_000;

export interface NodeHandlers {
  /** For `http.Server`'s `request` event; answers 404 for requests the handler declines. */
  request: (incoming: IncomingMessage, outgoing: ServerResponse) => void;
  /** For `http.Server`'s `upgrade` event. */
  upgrade: (incoming: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Closes every WebSocket this adapter accepted. */
  closeWebSockets: () => void;
}

/** How long a WebSocket closed by `close()` has to answer the close frame before it is cut. */
const WEBSOCKET_CLOSE_GRACE_MS = 1000;

export function createNodeHandlers(handler: FetchHandler, options: NodeHandlerOptions = {}): NodeHandlers {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxWebSocketPayload ?? 16 * 1024 * 1024,
  });
  const liveness = new Liveness(options.webSocketPingInterval ?? DEFAULT_WEBSOCKET_PING_INTERVAL);

  // `@hono/node-server` turns the IncomingMessage into a lazy Request (and aborts its signal when
  // the client leaves) and writes complete responses without building a body stream. Streaming
  // responses are written here, in fewer socket writes than its generic stream writer makes.
  const request = getRequestListener(async (request, { incoming, outgoing }) => {
    let sink: NodeFrameSink | null = null;
    const runtime: RuntimeContext = {
      remoteAddress: incoming.socket.remoteAddress,
      cheapBodyText: true,
      // Only this request's own body, and only if nobody started reading it.
      readBodyText: (body, timeoutMs) =>
        body === request &&
        !incoming.readableDidRead &&
        incoming.listenerCount('data') === 0 &&
        incoming.listenerCount('readable') === 0
          ? readIncomingText(incoming as IncomingMessage, timeoutMs)
          : undefined,
      onClientGone: (listener) =>
        outgoing.once('close', () => {
          if (!outgoing.writableFinished) listener();
        }),
      frameSink: (events, highWaterMark) => (sink = new NodeFrameSink(events, highWaterMark)),
    };
    const response = (await handler(request, runtime)) ?? notFound();
    if (!isStreamingResponse(response)) return response;
    // Only plain `node:http` servers are served here: the listener is ours.
    const http1 = outgoing as ServerResponse;
    writeStreamingResponse(response, http1, sink).catch(() => http1.destroy());
    return RESPONSE_ALREADY_SENT;
  });

  const upgrade = (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let upgraded = false;
    // The runtime context lives as long as the WebSocket session does (the transport keeps it):
    // it must not keep the upgrade request and its buffers alive once the upgrade is done.
    let pending: { incoming: IncomingMessage; head: Buffer } | null = { incoming, head };
    const runtime: RuntimeContext = {
      remoteAddress: incoming.socket.remoteAddress,
      onClientGone: (listener) => socket.once('close', listener),
      upgradeWebSocket(_request, handlers) {
        upgraded = true;
        if (pending !== null) {
          const { incoming: request, head: rest } = pending;
          pending = null;
          // The 101 and the session's first frame (`o`) leave in one write.
          socket.cork();
          wss.handleUpgrade(request, socket, rest, (ws) => bindWebSocket(ws, handlers, liveness));
          process.nextTick(() => socket.uncork());
        }
        // Node writes the 101 itself; this Response is never sent.
        return new Response(null, { status: 200 });
      },
    };
    Promise.resolve(handler(upgradeRequest(incoming), runtime))
      .then((response) => {
        if (!upgraded) return writeRawResponse(socket, response ?? notFound());
      })
      .catch(() => socket.destroy());
  };

  return {
    // Bodies are read under the core's `bodyTimeout`: one of declared length straight from the
    // IncomingMessage (`readBodyText`), others as `@hono/node-server`'s Request gives them.
    request: (incoming, outgoing) => void request(incoming, outgoing),
    upgrade,
    closeWebSockets: () => {
      for (const ws of wss.clients) {
        // A close frame (the client sees 1001, not 1006), then the socket goes whether or not
        // the client answers it.
        ws.close(1001, 'Server shutting down');
        setTimeout(() => ws.terminate(), WEBSOCKET_CLOSE_GRACE_MS).unref();
      }
    },
  };
}

/**
 * Pings every watched WebSocket each `interval` ms and terminates the ones that did not answer
 * the previous ping: a peer that vanished without a FIN (a dead NAT entry, a pulled cable) or
 * stopped reading is noticed within two intervals. One timer for all sockets, running only
 * while there are some, and never keeping the process alive.
 */
class Liveness {
  readonly #interval: number;
  readonly #sockets = new Set<NodeWebSocket>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(interval: number) {
    if (!(Number.isFinite(interval) && interval >= 0)) {
      throw new TypeError(`webSocketPingInterval must be a number of milliseconds >= 0 (got ${interval})`);
    }
    this.#interval = interval;
  }

  /** Whether sockets are watched at all (pings on). */
  get on(): boolean {
    return this.#interval > 0;
  }

  watch(socket: NodeWebSocket): void {
    this.#sockets.add(socket);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#tick(), this.#interval);
      this.#timer.unref();
    }
  }

  forget(socket: NodeWebSocket): void {
    if (!this.#sockets.delete(socket) || this.#sockets.size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    for (const socket of this.#sockets) {
      if (!socket.alive) {
        // No pong since the last ping: the peer is gone. 'close' (1006) follows.
        socket.ws.terminate();
        continue;
      }
      socket.alive = false;
      socket.ws.ping();
    }
  }
}

/**
 * One accepted WebSocket as the core sees it, and what its listeners need. The listeners are
 * shared by all sockets (they find this object on the socket they are called on), so a socket
 * costs this one object rather than a closure per event and per method.
 */
class NodeWebSocket implements ServerWebSocket {
  readonly ws: WebSocket;
  readonly handlers: WebSocketHandlers;
  readonly liveness: Liveness | null;
  /** Whether a pong came since the last ping. */
  alive = true;

  constructor(ws: WebSocket, handlers: WebSocketHandlers, liveness: Liveness | null) {
    this.ws = ws;
    this.handlers = handlers;
    this.liveness = liveness;
  }

  send(data: string): void {
    this.ws.send(textBytes(data), TEXT);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
}

const BOUND = Symbol('sockjs-fetch socket');
type BoundWebSocket = WebSocket & { [BOUND]: NodeWebSocket };
const socketOf = (ws: WebSocket): NodeWebSocket => (ws as BoundWebSocket)[BOUND];

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  socketOf(this).handlers.onMessage(isBinary ? toBytes(data) : data.toString());
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  const socket = socketOf(this);
  socket.liveness?.forget(socket);
  socket.handlers.onClose(code, reason.toString(), code !== 1006);
}

function onPong(this: WebSocket): void {
  socketOf(this).alive = true;
}

// An error is always followed by 'close'; nothing else to do here.
function onError(): void {}

function bindWebSocket(ws: WebSocket, handlers: WebSocketHandlers, liveness: Liveness): void {
  const socket = new NodeWebSocket(ws, handlers, liveness.on ? liveness : null);
  (ws as BoundWebSocket)[BOUND] = socket;
  ws.on('message', onMessage);
  ws.on('close', onClose);
  ws.on('error', onError);
  if (socket.liveness !== null) {
    ws.on('pong', onPong);
    socket.liveness.watch(socket);
  }
  handlers.onOpen(socket);
}

/** `ws.send` options for a text frame whose UTF-8 bytes are given. */
const TEXT = { binary: false } as const;
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function upgradeRequest(incoming: IncomingMessage): Request {
  const headers = new Headers();
  for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
    headers.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
  }
  const host = incoming.headers.host ?? 'localhost';
  return new Request(new URL(incoming.url ?? '/', `http://${host}`), { method: incoming.method, headers });
}

/**
 * Answers an upgrade request that was not accepted, straight on the socket. A body that is
 * complete at once (every error answer) goes out with a Content-Length; one that is not goes
 * out chunked as it comes: an upgrade request can address a streaming endpoint (an eventsource
 * or xhr_streaming request that also carries `Upgrade` and `Connection: Upgrade`), whose body
 * never ends. Closing the socket cancels the body, so its session hears that the client left.
 */
async function writeRawResponse(socket: Duplex, response: Response): Promise<void> {
  let head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n`;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') head += `${name}: ${value}\r\n`;
  });
  for (const cookie of response.headers.getSetCookie()) head += `Set-Cookie: ${cookie}\r\n`;
  const reader = response.body?.getReader();
  const { chunks, pending } = reader === undefined ? { chunks: [], pending: null } : await readReady(reader);
  if (pending === null) {
    const body = Buffer.concat(chunks);
    head += `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    return;
  }
  socket.once('close', () => void reader!.cancel().catch(() => {}));
  const writeChunk = (chunk: Uint8Array) => {
    if (chunk.byteLength > 0 && !socket.destroyed) {
      socket.write(`${chunk.byteLength.toString(16)}\r\n`);
      socket.write(chunk);
      socket.write('\r\n');
    }
  };
  socket.write(`${head}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n`, 'latin1');
  for (const chunk of chunks) writeChunk(chunk);
  for (let next = await pending; !next.done; next = await reader!.read()) writeChunk(next.value);
  socket.end('0\r\n\r\n');
}

export interface NodeServeOptions extends NodeHandlerOptions {
  fetch: FetchHandler;
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  hostname?: string;
}

export interface RunningNodeServer {
  server: Server;
  /** `http://host:port` */
  url: string;
  close(): Promise<void>;
}

/** Starts an HTTP server for `fetch` and resolves once it listens. */
export function serve(options: NodeServeOptions): Promise<RunningNodeServer> {
  const handlers = createNodeHandlers(options.fetch, options);
  const server = createServer();
  server.on('request', handlers.request);
  server.on('upgrade', handlers.upgrade);
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = hostname.includes(':') ? `[${hostname}]` : hostname;
      resolve({
        server,
        url: `http://${host}:${port}`,
        close: async () => {
          // What the application wrote just before (`closeAll()`'s close frames) leaves first:
          // responses are written once per turn of the event loop (see node-response.ts).
          await new Promise((resolve) => setImmediate(resolve));
          await new Promise((resolve) => setImmediate(resolve));
          await new Promise<void>((done) => {
            handlers.closeWebSockets();
            server.close(() => done());
            server.closeAllConnections();
          });
        },
      });
    });
  });
}

/**
 * Puts SockJS servers in front of an existing `http.Server` (Express, Koa, ...): requests under
 * one of their prefixes are answered here, all others go to the listeners installed before.
 */
export function attach(
  server: Server,
  sockjs:
    | { owns(url: URL): boolean; handle: FetchHandler }
    | Array<{ owns(url: URL): boolean; handle: FetchHandler }>,
  options: NodeHandlerOptions = {},
): void {
  const services = Array.isArray(sockjs) ? sockjs : [sockjs];
  const find = (incoming: IncomingMessage) => {
    const url = new URL(incoming.url ?? '/', 'http://localhost');
    return services.find((service) => service.owns(url));
  };
  const handlers = createNodeHandlers((request, runtime) => {
    const url = new URL(request.url);
    return services.find((service) => service.owns(url))?.handle(request, runtime);
  }, options);
  for (const event of ['request', 'upgrade'] as const) {
    const previous = server.listeners(event) as Array<(...args: unknown[]) => void>;
    server.removeAllListeners(event);
    server.on(event, (incoming: IncomingMessage, ...rest: unknown[]) => {
      if (find(incoming) !== undefined) {
        (handlers[event] as (...args: unknown[]) => void)(incoming, ...rest);
      } else if (previous.length > 0) {
        for (const listener of previous) listener.call(server, incoming, ...rest);
      } else if (event === 'upgrade') {
        (rest[0] as Duplex).destroy();
      } else {
        (handlers.request as (...args: unknown[]) => void)(incoming, ...rest);
      }
    });
  }
}
