/**
 * Runs a server under test as a real child process and finds its URL from the line it prints
 * when listening (`listening on http://127.0.0.1:<port>`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '../../cluster/processes.ts';
import { builtApp } from './build.ts';

export interface ServerCommand {
  command: string;
  args: readonly string[];
  /** Added to (and overriding) the test process's environment. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** How long to wait for the listening line; 20 s unless told. */
  startTimeoutMs?: number;
}

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /**
   * The process id of the started command (for Node, Deno and Bun the server itself; for the
   * Workers target the Node process that runs workerd as its own child).
   */
  pid?: number;
  /** What it printed (stdout and stderr as they came, the first 64 KB), for servers that log events. */
  output?(): string;
  stop(): Promise<void>;
}

/**
 * What a target's platform does below the server's code, where runtimes differ in ways the
 * protocol allows or that the server cannot change. The conformance suite reads these so every
 * runtime runs the same tests, each checking the strongest property its platform can give.
 * Every field is optional; the default is Node's behaviour (`NODE_CAPABILITIES`), under which
 * the suite makes its strictest checks.
 */
export interface TargetCapabilities {
  /**
   * How frames written to a streaming response (xhr_streaming, eventsource, htmlfile) reach the
   * wire.
   * - `'per-frame'`: every write is its own HTTP chunk, also when several are written in the
   *   same tick (Node's `http`; local workerd, observed exact over 600 concurrent streams). The
   *   suite asserts one chunk per frame.
   * - `'coalesced'`: writes made in the same tick may share one chunk, e.g. `"\r\ndata: o\r\n\r\n"`
   *   or `"o\nc[3000,\"Go away!\"]\n"` (what `Deno.serve` and `Bun.serve` do to plain stream bodies;
   *   no target needs it since their adapters hand over one frame per chunk). The suite parses frames out of
   *   the byte stream by the transport's framing and asserts the same frames, bytes and order,
   *   and that each frame arrives within `PROMPT_FRAME_MS` (merged, never held back).
   */
  chunking?: 'per-frame' | 'coalesced';
  /**
   * What happens to a request that is not a GET but carries WebSocket upgrade headers
   * (`Upgrade: WebSocket`, `Connection: Upgrade`), e.g. `POST S/websocket`
   * (`WebsocketHttpErrors.test_invalidMethod`). The same requests without those headers reach
   * the server on every target, and the suite asserts its exact 405 for them everywhere.
   * - `'reach-handler'`: the request reaches the server unchanged, which answers 405 (Node, Bun).
   * - `'platform-400'`: the HTTP server answers by itself and the handler never runs: Deno
   *   answers any non-GET request with `Connection: Upgrade` and an `Upgrade` header with
   *   400, an empty body (`Content-Length: 0`) and `Connection: close`.
   * - `'delivered-as-get'`: the platform hands the request to the server as a GET, whatever its
   *   method: local workerd (through Miniflare) does so for every request with
   *   `Upgrade: websocket` (any case), so the server answers as it answers a GET with those
   *   headers (for `POST S/websocket` without `Sec-WebSocket-Version`: its 400 "Only supported
   *   WebSocket protocol is RFC 6455."). The suite asserts a 4xx that equals the server's
   *   answer to that GET.
   * - `'proxy-400'`: a reverse proxy in front answers by itself and no server sees the request:
   *   HAProxy 2.6 answers 400 with its own HTML error page and `Connection: close`. The suite
   *   asserts a 400 that is not the server's (no `Allow`) and the close.
   */
  nonGetUpgradeRequests?: 'reach-handler' | 'platform-400' | 'delivered-as-get' | 'proxy-400';
  /**
   * Whether the server learns at once that a client dropped a pending poll or stream, so the
   * client's next request hears `c[1002,...]` (or `o`), never 2010.
   * - `true`: both (Node, Deno, Bun).
   * - `'streams'`: streams only (local workerd). workerd notices a dropped response only when
   *   a write to it fails: the first write after the drop still goes out, the next one fails
   *   (measured: detection two heartbeats after the drop, whatever the heartbeat delay, 10 ms to
   *   1 s) and the body is cancelled. So before refusing a request with 2010 the server probes
   *   the session's stream with a few `h` frames 20 ms apart (`RuntimeContext.abortNoticedOnWrite`),
   *   which finds a dead one within ~60 ms. A poll cannot be probed (its one frame ends it): a
   *   dead poll is never reported at all, it is ended by the next heartbeat (its `h` goes
   *   nowhere), after which the session has no receiver and expires after the disconnect delay.
   *   The suite runs the poll abort test against the short-timer server and waits for that (two
   *   heartbeats plus the disconnect delay) before checking the next poll.
   */
  promptAbortDetection?: boolean | 'streams';
  /**
   * Whether the TCP connection of a WebSocket the server closes can end long after the close
   * frame. True on local workerd for hibernatable sockets (`ctx.acceptWebSocket`) closed from
   * the `fetch` that accepted them (at once, from a timer or a `waitUntil`): the close frame
   * goes out at once, but the connection only ends when the object hibernates, about 10 s
   * later, so the client's `close` event comes then. Sockets closed from a `webSocketMessage`
   * handler end at once (the suite keeps waiting for the TCP end after broken JSON). The suite
   * then asserts that the close frame, with its code and reason, arrives promptly.
   */
  lateTcpCloseAfterServerClose?: boolean;
  /**
   * Whether the HTTP server keeps HTTP/1.0 rules: no `Transfer-Encoding` in a response to an
   * HTTP/1.0 request, and the connection closed after the response unless it says
   * `Connection: keep-alive`. False on local workerd: it answers HTTP/1.0 requests as
   * HTTP/1.1, sends a body of unknown length with `Transfer-Encoding: chunked` (which an
   * HTTP/1.0 client cannot decode), and keeps the connection open and serving further requests
   * after a response without `Connection: keep-alive` until its idle timeout (about 5 s). The
   * suite then asserts the exact body bytes, that the body is delimited, and that the
   * connection it kept serves the next request.
   */
  http10?: boolean;
  /**
   * What the runtime's WebSocket layer does with a text frame that is not valid UTF-8, before
   * the server's code sees anything (RFC 6455 8.1: fail the connection).
   * - `'close-1007'`: closes with code 1007 (Node's `ws`, Bun).
   * - `'drop'`: drops the TCP connection without a close frame; the client sees 1006 (Deno).
   * - `'replace'`: delivers the text with U+FFFD in place of the bad bytes (local workerd).
   */
  invalidUtf8Text?: 'close-1007' | 'drop' | 'replace';
  /**
   * Which requests `authorize` sees.
   * - `'session'`: only the one that opens a session; later requests of the session need nothing.
   * - `'request'`: every request that could open a session (receivers and WebSocket upgrades,
   *   not sends): the Workers router runs it before any Durable Object is addressed and cannot
   *   know whether the session exists (README, Workers).
   */
  authorizeScope?: 'session' | 'request';
  /**
   * What the runtime's WebSocket layer answers to a malformed close frame from the client: a
   * one-byte body, or a reason that is not UTF-8 (RFC 6455 5.5.1, 8.1). A well-formed close frame
   * with a code a client may not send (0-999, 1004-1006, 1015-2999, 5000+) gets a close frame
   * with 1002 on every runtime; the server's code sees none of these.
   * - `'close'`: a close frame with 1002 (one-byte body) or 1007 (not UTF-8): Node's `ws`, Bun.
   * - `'drop'`: the connection ends without a close frame; the client sees 1006. Deno: its
   *   WebSocket layer (denoland/fastwebsockets, `ReadHalf::read_frame_inner`) returns
   *   `InvalidCloseFrame` / `InvalidUTF8` for these with no frame to send (it has one, 1002, only
   *   for a bad code), and `Deno.upgradeWebSocket`'s socket then closes (code 1006, an `error`
   *   event) before any server code could answer.
   */
  malformedClose?: 'close' | 'drop';
  /**
   * Whether the HTTP server closes a connection once it has answered a request whose body was
   * left unread (the server's 408 at `bodyTimeout`, which says `Connection: close`). False on
   * Deno: `Deno.serve` sends `connection: close` but keeps the TCP connection open for as long
   * as the client does, and nothing a handler can do closes it (cancelling the body, erroring
   * the response body: tried, measured). The suite then asserts the 408 at the deadline only.
   */
  closesAfterUnreadBody?: boolean;
  /**
   * What answers a request whose `Host` header is not a valid host name (`Host: a b`).
   * - `'server'`: the server's code or the runtime's HTTP layer answers it, never with a 5xx
   *   (Node and Deno refuse it with 400; Bun hands the handler a bare path, which the core
   *   answers 400).
   * - `'platform-500'`: local workerd fails in its own C++ URL code before any JavaScript runs
   *   ("kj/compat/url.c++: invalid hostname when stringifying URL" in its log) and answers
   *   `500 Internal Server Error` (21 bytes) itself; on Cloudflare the edge answers such a
   *   request before workerd sees it.
   */
  malformedHost?: 'server' | 'platform-500';
  /**
   * The target is several instances sharing topics through a broker (the HAProxy cluster on
   * Redis). An instance's subscription to a topic takes effect once the broker has confirmed it
   * (a round trip to Redis when the topic gets its first subscriber there), and pub/sub delivers
   * from that moment on: a message published elsewhere right after a client opened may not reach
   * that client. True: the suites publish until the first message arrives, then check order.
   */
  topicsAcrossInstances?: boolean;
}

/** Node's behaviour, the default of every capability. */
export const NODE_CAPABILITIES: Readonly<Required<TargetCapabilities>> = {
  chunking: 'per-frame',
  nonGetUpgradeRequests: 'reach-handler',
  promptAbortDetection: true,
  lateTcpCloseAfterServerClose: false,
  http10: true,
  invalidUtf8Text: 'close-1007',
  authorizeScope: 'session',
  malformedClose: 'close',
  closesAfterUnreadBody: true,
  malformedHost: 'server',
  topicsAcrossInstances: false,
};

/** A target's capabilities with Node's for everything it does not set. */
export function capabilitiesOf(target: ConformanceTarget): Readonly<Required<TargetCapabilities>> {
  return { ...NODE_CAPABILITIES, ...target.capabilities };
}

/** Something the conformance suite can run against. `env` adds to the defaults (e.g. timer knobs). */
export interface ConformanceTarget {
  name: string;
  start(env?: Readonly<Record<string, string>>): Promise<RunningServer>;
  /** Where the platform below the server differs from Node; omitted fields are Node's. */
  capabilities?: TargetCapabilities;
}

const LISTENING = /listening on (http:\/\/\S+)/;

/** Starts `server` (`cluster/processes.ts` does the work) and resolves once it prints its listening line. */
export async function startServer(server: ServerCommand): Promise<RunningServer> {
  const child = await startProcess(
    {
      name: path.basename(server.command),
      command: server.command,
      args: server.args,
      cwd: server.cwd,
      env: server.env,
      ready: LISTENING,
      readyFrom: 'stdout',
      // The first 64 KB, so tests find the lines a server prints as it starts.
      outputLimit: 64_000,
      keepOutput: 'first',
    },
    server.startTimeoutMs ?? 20_000,
  );
  return {
    url: child.match![1]!.replace(/\/+$/, ''),
    pid: child.pid,
    output: child.output,
    stop: () => child.stop(),
  };
}

/** The repository root (this file is `test/support/server-process.ts`). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The Node demo server, built (`node .build/node/server.mjs`, see build.ts), on an ephemeral port. */
export const nodeTarget: ConformanceTarget = {
  name: 'node',
  start: (env = {}) =>
    startServer({
      command: process.execPath,
      args: [builtApp('node/server.ts')],
      cwd: repoRoot,
      env: { PORT: '0', ...env },
    }),
};
