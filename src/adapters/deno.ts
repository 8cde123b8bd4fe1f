/**
 * Deno adapter: serves Fetch handlers on `Deno.serve`; WebSocket upgrades go through
 * `Deno.upgradeWebSocket` on the original request.
 *
 *   Deno.serve((request, info) => services.fetch(request, denoRuntime(request, info)));
 *
 * Imports nothing outside the core, so `deno run` needs no npm packages.
 */
import { notFound, orNotFound } from '../http.ts';
import type { RuntimeContext, ServerWebSocket, StreamingSource, WebSocketHandlers } from '../runtime.ts';

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
    streamingBody: onePerTurn,
  };
}

/**
 * A streaming body that hands Deno one frame per turn of the event loop, so that each goes out
 * as its own HTTP chunk. `Deno.serve` copies body chunks into a channel that its HTTP server
 * drains between turns, and a drain that finds more than one chunk there, 1 KiB or less in all,
 * merges them into one (`BUFFER_AGGREGATION_LIMIT` in deno's ext/web/stream_resource.rs): the
 * eventsource prelude with `data: o`, `o` with a close frame written in the same turn. The
 * source's controller is wrapped, with no stream in between: a frame goes straight to Deno's
 * stream unless its stream already handed one over in this turn; then it is held, and held
 * frames are handed over one per turn.
 */
function onePerTurn(
  source: StreamingSource,
  strategy: QueuingStrategy<Uint8Array>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start: (controller) => source.start?.(new TurnPacedController(controller)),
      pull: (controller) => source.pull?.(controller),
      cancel: (reason) => source.cancel?.(reason),
    },
    strategy,
  );
}

/**
 * Turns of the event loop in which some stream handed a frame over, counted by one chain of
 * immediates for all streams, started in each such turn. Deno runs the immediates queued in a turn
 * at its end, and those they queue in the next turn, after its HTTP server has drained the body
 * channels: so the second immediate marks the turn as over. (A timer would too, but fires a
 * millisecond later at the earliest, which would hold back every frame that follows another
 * within a millisecond.)
 */
let turn = 0;
let turnEnd: Promise<void> | null = null;

/** Resolves in a later turn than this one, after Deno has drained what this turn handed it. */
function nextTurn(): Promise<void> {
  turnEnd ??= new Promise((resolve) =>
    setImmediate(() =>
      setImmediate(() => {
        turn++;
        turnEnd = null;
        resolve();
      }),
    ),
  );
  return turnEnd;
}

class TurnPacedController implements ReadableStreamDefaultController<Uint8Array> {
  readonly #controller: ReadableStreamDefaultController<Uint8Array>;
  /** Frames waiting for a later turn, in order. */
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  #closeWhenReleased = false;
  /** The turn in which this stream last handed a frame over. */
  #handedIn = -1;

  constructor(controller: ReadableStreamDefaultController<Uint8Array>) {
    this.#controller = controller;
  }

  get desiredSize(): number | null {
    const size = this.#controller.desiredSize;
    return size === null ? null : size - this.#heldBytes;
  }

  enqueue(chunk: Uint8Array): void {
    if (this.#held.length === 0 && this.#handedIn !== turn) {
      this.#handIn(chunk);
      return;
    }
    this.#held.push(chunk);
    this.#heldBytes += chunk.byteLength;
    if (this.#held.length === 1) void this.#release();
  }

  close(): void {
    if (this.#held.length > 0) this.#closeWhenReleased = true;
    else this.#controller.close();
  }

  error(reason?: unknown): void {
    this.#held = [];
    this.#heldBytes = 0;
    this.#controller.error(reason);
  }

  #handIn(chunk: Uint8Array): void {
    this.#handedIn = turn;
    void nextTurn();
    this.#controller.enqueue(chunk);
  }

  /** Hands the held frames over, each in a turn of its own, then closes if asked to meanwhile. */
  async #release(): Promise<void> {
    try {
      while (this.#held.length > 0) {
        if (this.#handedIn === turn) await nextTurn();
        const chunk = this.#held.shift()!;
        this.#heldBytes -= chunk.byteLength;
        this.#handIn(chunk);
      }
      if (this.#closeWhenReleased) this.#controller.close();
    } catch {
      // The client went away (the stream was cancelled): nothing left to deliver.
      this.#held = [];
      this.#heldBytes = 0;
    }
  }
}

function addressOf(info: DenoServeHandlerInfo | undefined): string | undefined {
  const addr = info?.remoteAddr;
  return addr !== undefined && 'hostname' in addr && typeof addr.hostname === 'string'
    ? addr.hostname
    : undefined;
}

function bindWebSocket(socket: WebSocket, handlers: WebSocketHandlers): void {
  socket.binaryType = 'arraybuffer';
  const bound = new DenoWebSocket(socket, handlers);
  socket.addEventListener('open', bound, { once: true });
  socket.addEventListener('message', bound);
  // An 'error' is always followed by 'close', which is all the core needs.
  socket.addEventListener('close', bound);
}

/**
 * One upgraded socket as the core sees it, and its one listener for all three events: a socket
 * costs this object rather than a closure per event and per method.
 */
class DenoWebSocket implements ServerWebSocket {
  readonly #socket: WebSocket;
  readonly #handlers: WebSocketHandlers;

  constructor(socket: WebSocket, handlers: WebSocketHandlers) {
    this.#socket = socket;
    this.#handlers = handlers;
  }

  handleEvent(event: Event): void {
    if (event.type === 'message') {
      this.#handlers.onMessage((event as MessageEvent<string | ArrayBuffer>).data);
    } else if (event.type === 'open') {
      this.#handlers.onOpen(this);
    } else if (event.type === 'close') {
      const { code, reason, wasClean } = event as CloseEvent;
      this.#handlers.onClose(code, reason, wasClean);
    }
  }

  send(data: string): void {
    this.#socket.send(data);
  }

  bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  close(code?: number, reason?: string): void {
    closeWhenWritten(this.#socket, code, reason);
  }
}

/** How often a closing socket checks whether what was sent before its close has been written. */
const CLOSE_DRAIN_CHECK_MS = 20;
/** How long a close waits for that, at most; `ws` (Node) gives a close handshake as long. */
const CLOSE_DRAIN_TIMEOUT_MS = 30_000;

/**
 * Closes once everything sent before has left (`bufferedAmount` 0), or after
 * `CLOSE_DRAIN_TIMEOUT_MS`. A server socket Deno is closing drops its connection at once, frames
 * still queued and all, when a message from the client arrives before the client's close frame
 * (`ext:deno_websocket`: a message event in the CLOSING state closes the resource), and a client
 * that is behind keeps sending: it would lose the close frame it was sent (`c[1013,...]` for a
 * client that stopped reading) and see 1006 instead. Closed after the drain, it gets them as
 * every other runtime sends them.
 */
function closeWhenWritten(socket: WebSocket, code?: number, reason?: string): void {
  const deadline = Date.now() + CLOSE_DRAIN_TIMEOUT_MS;
  const attempt = () => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > 0 && Date.now() < deadline) {
      // The wait alone does not keep the process alive.
      Deno.unrefTimer(Number(setTimeout(attempt, CLOSE_DRAIN_CHECK_MS)));
      return;
    }
    try {
      socket.close(code, reason);
    } catch {
      // A code or reason the WebSocket API rejects (reserved code, reason > 123 bytes).
      socket.close(1000);
    }
  };
  attempt();
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
    // Not an async function: one reaction on the handler's promise, none on a Response.
    (request, info) => {
      const answer = options.fetch(request, denoRuntime(request, info));
      return answer instanceof Promise ? answer.then(orNotFound) : (answer ?? notFound());
    },
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
