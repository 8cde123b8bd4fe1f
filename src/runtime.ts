import type { ConnectionRequestInfo } from './connection.ts';
import type { BodyResult } from './http.ts';

/**
 * What the core asks of the runtime it is served on. Each adapter (Node, Deno, Bun, Workers)
 * supplies one of these per request; the core itself never checks which runtime it is on.
 */

/** The server side of an accepted WebSocket, as much of it as the core uses. */
export interface ServerWebSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** Bytes accepted by `send` but not yet written to the network, where the runtime tells. */
  bufferedAmount?(): number;
}

/** Callbacks the core registers for an upgraded WebSocket. */
export interface WebSocketHandlers {
  onOpen(socket: ServerWebSocket): void;
  onMessage(data: string | ArrayBuffer | Uint8Array): void;
  onClose(code: number, reason: string, wasClean: boolean): void;
}

/**
 * Everything needed to bring a WebSocket connection back after the runtime dropped it from
 * memory (Durable Object hibernation). Plain JSON, small enough for a socket attachment.
 */
export interface WebSocketInfo {
  protocol: 'websocket' | 'websocket-raw';
  prefix: string;
  connectionId: string;
  request: ConnectionRequestInfo;
  /** `connection.data` from `authorize`, if any. */
  data?: unknown;
}

export interface RuntimeContext {
  /**
   * Accepts a (validated) WebSocket upgrade request and returns the response that completes the
   * handshake. Absent on hosts that cannot upgrade; the core then answers 400. A runtime that
   * can hibernate sockets keeps `info` with the socket and later calls `adapterHooks.resumeWebSocket`.
   */
  upgradeWebSocket?(
    request: Request,
    handlers: WebSocketHandlers,
    info: WebSocketInfo,
  ): Response | Promise<Response>;
  /**
   * The runtime sends SockJS `h` frames on WebSocket sessions itself (from a Durable Object
   * alarm), so sessions keep no timers that would prevent hibernation.
   */
  manualHeartbeats?: boolean;
  /**
   * The runtime learns that a client dropped a streaming response only when a write to it fails
   * (local workerd): a request for a session that already has a stream then probes it with
   * heartbeats before being refused with 2010, so a dead stream is found and the client hears
   * `c[1002,"Connection interrupted"]` instead.
   */
  abortNoticedOnWrite?: boolean;
  /** The client's address, as the runtime knows it. */
  remoteAddress?: string;
  /** Keeps background work alive after the response (Workers' `waitUntil`). */
  waitUntil?(promise: Promise<unknown>): void;
  /**
   * Calls `listener` once if the client goes away before its response is complete. Without
   * it the core watches `request.signal`.
   */
  onClientGone?(listener: () => void): void;
  /** Lifts the runtime's idle timeout for a long-lived response (polling, streaming). */
  keepAlive?(): void;
  /**
   * The sessions live elsewhere (a Workers router in front of Durable Objects): a request that
   * passed every check made before a session is touched (route, origin, upgrade headers,
   * callback, `authorize`) is handed on with its admission's `data`, and the answer is this.
   */
  forwardAdmitted?(data: unknown): Promise<Response>;
  /**
   * `request.text()` is the cheap way to read a body of declared length here, and holds no more
   * memory than has arrived (Node). Without it the core reads bodies as streams: Deno's `text()`
   * reserves the declared length up front, for as long as a stalled body keeps it waiting.
   */
  cheapBodyText?: boolean;
  /**
   * Reads the body of `request`, whose length is declared, whole as UTF-8 (as `request.text()`
   * would), settling with `timeout` once `timeoutMs` have passed and `aborted` if the client
   * leaves first; or returns `undefined` when it cannot (not the request it was made for, or a
   * body someone already started reading), and the core reads it itself. Node: straight from
   * the socket's message, without a timer per request.
   */
  readBodyText?(request: Request, timeoutMs: number): Promise<BodyResult> | undefined;
  /**
   * Builds the body of a streaming response (xhr_streaming, eventsource, htmlfile) from the
   * core's source, which enqueues one chunk per frame; by default `new ReadableStream(source,
   * strategy)`. For runtimes whose HTTP server would merge chunks enqueued close together into
   * one HTTP chunk: the stream must put every frame on the wire as its own HTTP chunk, promptly,
   * and keep the source's contract (its controller at once, `pull` when the client can take more,
   * `cancel` when it goes away).
   */
  streamingBody?(source: StreamingSource, strategy: QueuingStrategy<Uint8Array>): ReadableStream<Uint8Array>;
  /**
   * Takes a streaming response's frames as text and writes them itself, where that is cheaper than
   * a web stream (Node writes each one straight to the socket). Without it the core builds the
   * body as a web stream (see `streamingBody`). The sink's `body` must still work as a plain body
   * for a host that sends the Response some other way (a middleware that replaced it).
   */
  frameSink?(events: FrameSinkEvents, highWaterMark: number): FrameSink;
}

/** Where a streaming response's framed text goes (see `RuntimeContext.frameSink`). */
export interface FrameSink {
  /** The response body, one chunk per `write`. */
  readonly body: ReadableStream<Uint8Array>;
  /** Sends `text` as the next HTTP chunk. */
  write(text: string): void;
  /** False while the client has `highWaterMark` bytes or more not taken yet. */
  writable(): boolean;
  /** Ends the body after everything written. */
  close(): void;
}

/** What a `FrameSink` tells the core. */
export interface FrameSinkEvents {
  /** The client takes data again (called after `writable()` was false, or at any time). */
  writable(): void;
  /** The client went away before the body ended. */
  cancel(): void;
}

/**
 * The core's side of a streaming body: a Streams API source (`UnderlyingDefaultSource`, spelled
 * out because that name is DOM-only in TypeScript's libs, and consumers may type-check without DOM).
 */
export interface StreamingSource {
  start?(controller: ReadableStreamDefaultController<Uint8Array>): void;
  pull?(controller: ReadableStreamDefaultController<Uint8Array>): void | PromiseLike<void>;
  cancel?(reason?: unknown): void | PromiseLike<void>;
}
