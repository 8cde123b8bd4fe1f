/**
 * Shared pieces of the conformance suite: the servers under test, request helpers and the
 * header checks that PROTOCOL.md names ("nocache", "cache1y", CORS).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  type CompleteResponse,
  DEFAULT_TIMEOUT_MS,
  type HeaderInput,
  openStream,
  type RawResponse,
  rawRequest,
} from '../support/raw-http.ts';
import {
  type ConformanceTarget,
  capabilitiesOf,
  NODE_CAPABILITIES,
  type RunningServer,
  type TargetCapabilities,
} from '../support/server-process.ts';
import type { WsClient, WsClose } from '../support/ws-client.ts';

/** Timer knobs of the second server that timing tests use (milliseconds). */
export const SHORT_HEARTBEAT_MS = 1000;
export const SHORT_DISCONNECT_MS = 2000;

export const NOCACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';
export const CACHE_1Y = 'public, max-age=31536000';
export const TEXT_PLAIN = 'text/plain; charset=UTF-8';
export const APPLICATION_JAVASCRIPT = 'application/javascript; charset=UTF-8';
export const APPLICATION_JSON = 'application/json; charset=UTF-8';
export const TEXT_HTML = 'text/html; charset=UTF-8';
export const NOT_FOUND_BODY = '404 Error: Page not found\n';
export const PRELUDE_XHR_STREAMING = 'h'.repeat(2048) + '\n';
export const GO_AWAY = 'c[3000,"Go away!"]';
export const ANOTHER_CONNECTION = 'c[2010,"Another connection still open"]';
export const CONNECTION_INTERRUPTED = 'c[1002,"Connection interrupted"]';

/** Servers used by one run of the suite. */
export class SuiteContext {
  readonly target: ConformanceTarget;
  /** The target's capabilities, Node's where it sets none. */
  readonly caps: Readonly<Required<TargetCapabilities>>;
  #main: RunningServer | null = null;
  #short: Promise<RunningServer> | null = null;

  constructor(target: ConformanceTarget) {
    this.target = target;
    this.caps = capabilitiesOf(target);
  }

  /** The capabilities that differ from Node's, e.g. `chunking=coalesced` (empty for Node). */
  get capabilityNotes(): string[] {
    return (Object.keys(NODE_CAPABILITIES) as Array<keyof TargetCapabilities>)
      .filter((name) => this.caps[name] !== NODE_CAPABILITIES[name])
      .map((name) => `${name}=${String(this.caps[name])}`);
  }

  /** Reads the frames of a streaming response the way this target's chunking allows. */
  frames(response: RawResponse, framing: StreamFraming): FrameReader {
    return new FrameReader(response, framing, this.caps.chunking);
  }

  /** Starts the default server, and the short-timer one alongside so it is ready when needed. */
  async start(): Promise<void> {
    const [main] = await Promise.all([this.target.start(), this.shortTimersUrl()]);
    this.#main = main;
  }

  /** Base URL of the server with default timers (no trailing slash). */
  get url(): string {
    if (this.#main === null) throw new Error('the server under test is not running');
    return this.#main.url;
  }

  /** Base URL of a second server with short heartbeat and disconnect delays, started on first use. */
  shortTimersUrl(): Promise<string> {
    this.#short ??= this.target.start({
      SOCKJS_HEARTBEAT_DELAY: String(SHORT_HEARTBEAT_MS),
      SOCKJS_DISCONNECT_DELAY: String(SHORT_DISCONNECT_MS),
    });
    return this.#short.then((server) => server.url);
  }

  async stop(): Promise<void> {
    const servers: Array<Promise<RunningServer> | RunningServer> = [];
    if (this.#main !== null) servers.push(this.#main);
    if (this.#short !== null) servers.push(this.#short);
    this.#main = null;
    this.#short = null;
    await Promise.all(
      servers.map(async (server) => {
        try {
          await (await server).stop();
        } catch {
          // A server that failed to start has nothing to stop.
        }
      }),
    );
  }
}

/**
 * The close the server started on `ws`: the close event (the TCP end) where it comes promptly,
 * else the close frame (`TargetCapabilities.lateTcpCloseAfterServerClose`).
 */
export function serverClose(
  ctx: SuiteContext,
  ws: WsClient,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<WsClose> {
  return ctx.caps.lateTcpCloseAfterServerClose ? ws.waitForCloseFrame(timeoutMs) : ws.waitForClose(timeoutMs);
}

/** Title suffix for tests that wait for a server-initiated WebSocket close. */
export function serverCloseNote(ctx: SuiteContext): string {
  return ctx.caps.lateTcpCloseAfterServerClose
    ? ' [close frame: the TCP end comes late on this platform]'
    : '';
}

/** `perFrame` on a per-frame target; on a coalesced one, what the test checks instead. */
export function chunkPhrase(ctx: SuiteContext, perFrame: string): string {
  return ctx.caps.chunking === 'per-frame'
    ? perFrame
    : `as its own frame (cut from coalesced chunks, each within ${PROMPT_FRAME_MS} ms)`;
}

/** Title suffix for tests whose upgrade-header requests the platform answers or rewrites. */
export function upgradeNote(ctx: SuiteContext): string {
  const mode = ctx.caps.nonGetUpgradeRequests;
  return mode === 'reach-handler' ? '' : ` [with Upgrade headers: ${mode}]`;
}

/** A fresh random session id (no `/` or `.`). */
export function sessionId(): string {
  return randomUUID();
}

/** `P/{server}/{session}` for a new random session. */
export function sessionBase(prefix: string, server = '000'): string {
  return `${prefix}/${server}/${sessionId()}`;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** POST bodies get a `Content-Length` unless this is false. */
  contentLength?: boolean;
  httpVersion?: '1.0' | '1.1';
  timeoutMs?: number;
}

function withContentLength(method: string, options: RequestOptions): HeaderInput {
  const headers: Record<string, string> = { ...options.headers };
  const hasLength = Object.keys(headers).some((name) => name.toLowerCase() === 'content-length');
  if (method !== 'GET' && method !== 'OPTIONS' && options.contentLength !== false && !hasLength) {
    headers['Content-Length'] = String(options.body === undefined ? 0 : Buffer.byteLength(options.body));
  }
  return headers;
}

export function request(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<CompleteResponse> {
  return rawRequest(
    baseUrl,
    {
      method,
      path,
      headers: withContentLength(method, options),
      body: options.body,
      httpVersion: options.httpVersion,
    },
    options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
}

export const get = (baseUrl: string, path: string, options?: RequestOptions) =>
  request(baseUrl, 'GET', path, options);
export const post = (baseUrl: string, path: string, options?: RequestOptions) =>
  request(baseUrl, 'POST', path, options);
export const options = (baseUrl: string, path: string, opts?: RequestOptions) =>
  request(baseUrl, 'OPTIONS', path, opts);

/** Starts a streaming request; the caller reads with `nextText` and must `abort()` it. */
export function stream(
  baseUrl: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<RawResponse> {
  return openStream(
    baseUrl,
    {
      method,
      path,
      headers: withContentLength(method, opts),
      body: opts.body,
      httpVersion: opts.httpVersion,
    },
    opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
}

/** `POST S/xhr_send` with a JSON body. */
export function xhrSend(
  baseUrl: string,
  base: string,
  body: string | Uint8Array,
  headers?: Record<string, string>,
) {
  return post(baseUrl, `${base}/xhr_send`, { body, headers });
}

/** One `POST S/xhr`, asserting 200, returning the body. */
export async function poll(baseUrl: string, base: string, headers?: Record<string, string>): Promise<string> {
  const response = await post(baseUrl, `${base}/xhr`, { headers });
  assert.equal(response.status, 200, `POST ${base}/xhr status`);
  return response.text;
}

/** Opens a session by polling once; asserts the open frame. */
export async function openSession(baseUrl: string, prefix = '/echo'): Promise<string> {
  const base = sessionBase(prefix);
  assert.equal(await poll(baseUrl, base), 'o\n', 'the first poll of a new session is the open frame');
  return base;
}

type HeaderSource = Pick<RawResponse, 'header' | 'hasHeader' | 'headerValues'>;

/** "nocache": the exact Cache-Control, and no Expires or Last-Modified (PROTOCOL.md conventions). */
export function assertNoCache(response: HeaderSource, what = 'response'): void {
  assert.equal(response.header('cache-control'), NOCACHE, `${what}: Cache-Control`);
  assert.equal(response.hasHeader('expires'), false, `${what}: no Expires`);
  assert.equal(response.hasHeader('last-modified'), false, `${what}: no Last-Modified`);
}

const RFC1123 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** "cache1y": `public, max-age=31536000`, an RFC 1123 Expires about a year ahead, no Last-Modified. */
export function assertCache1y(response: HeaderSource, what = 'response'): void {
  assert.equal(response.header('cache-control'), CACHE_1Y, `${what}: Cache-Control`);
  const expires = response.header('expires');
  assert.ok(expires !== undefined, `${what}: Expires present`);
  assert.match(expires, RFC1123, `${what}: Expires is an RFC 1123 GMT date`);
  const ahead = Date.parse(expires) - Date.now();
  const day = 24 * 3600 * 1000;
  assert.ok(ahead > 364 * day && ahead < 367 * day, `${what}: Expires is one year ahead (got ${expires})`);
  assert.equal(response.hasHeader('last-modified'), false, `${what}: no Last-Modified`);
}

/**
 * CORS headers of the `xhr_cors` helper: no Origin gives `*` without credentials; an Origin
 * (including the string `null`) is echoed with credentials; `Vary: Origin` always.
 */
export function assertCors(response: HeaderSource, origin: string | undefined, what = 'response'): void {
  if (origin === undefined) {
    assert.equal(response.header('access-control-allow-origin'), '*', `${what}: ACAO without Origin`);
    assert.equal(
      response.hasHeader('access-control-allow-credentials'),
      false,
      `${what}: no Access-Control-Allow-Credentials without Origin`,
    );
  } else {
    assert.equal(response.header('access-control-allow-origin'), origin, `${what}: ACAO echoes the Origin`);
    assert.equal(response.header('access-control-allow-credentials'), 'true', `${what}: ACAC`);
  }
  assertVaryOrigin(response, what);
}

export function assertVaryOrigin(response: HeaderSource, what = 'response'): void {
  const vary = response
    .headerValues('vary')
    .flatMap((value) => value.split(','))
    .map((token) => token.trim().toLowerCase());
  assert.ok(vary.includes('origin'), `${what}: Vary includes Origin (got ${JSON.stringify(vary)})`);
}

export function assertNoCookie(response: HeaderSource, what = 'response'): void {
  assert.deepEqual(response.headerValues('set-cookie'), [], `${what}: no Set-Cookie`);
}

/** The 404 of PROTOCOL.md 1.0. */
export function assertNotFound(response: CompleteResponse, what: string): void {
  assert.equal(response.status, 404, `${what}: status`);
  assert.equal(response.header('content-type'), TEXT_PLAIN, `${what}: Content-Type`);
  assert.equal(response.text, NOT_FOUND_BODY, `${what}: body`);
}

/** The 405 of `verify405`: the exact Allow header, no Content-Type, empty body. */
export function assertMethodNotAllowed(
  response: CompleteResponse,
  allow: string | string[],
  what: string,
): void {
  assert.equal(response.status, 405, `${what}: status`);
  const got = response.header('allow');
  assert.ok(got !== undefined, `${what}: Allow header present`);
  if (Array.isArray(allow)) {
    const methods = got.split(',').map((method) => method.trim());
    assert.deepEqual([...methods].sort(), [...allow].sort(), `${what}: Allow lists the methods (got ${got})`);
  } else {
    assert.equal(got, allow, `${what}: Allow`);
  }
  assert.equal(response.hasHeader('content-type'), false, `${what}: no Content-Type`);
  assert.equal(response.body.length, 0, `${what}: empty body`);
}

/**
 * The answer to a non-GET request that carries WebSocket upgrade headers, which only reaches the
 * server unchanged on some platforms (`TargetCapabilities.nonGetUpgradeRequests`): there, the
 * server's exact 405; elsewhere exactly what the platform does.
 */
export async function assertUpgradeWithWrongMethod(
  ctx: SuiteContext,
  response: CompleteResponse,
  path: string,
  headers: Record<string, string>,
  allow: string | string[],
  what: string,
): Promise<void> {
  const mode = ctx.caps.nonGetUpgradeRequests;
  switch (mode) {
    case 'reach-handler':
      assertMethodNotAllowed(response, allow, what);
      return;
    case 'platform-400':
      // The platform's own answer; the handler never saw the request.
      assert.equal(response.status, 400, `${what} (${mode}): status`);
      assert.equal(response.body.length, 0, `${what} (${mode}): empty body`);
      assert.equal(response.hasHeader('allow'), false, `${what} (${mode}): not the server's 405`);
      assert.equal(response.header('connection')?.toLowerCase(), 'close', `${what} (${mode}): Connection`);
      return;
    case 'proxy-400':
      // The proxy's own answer (HAProxy: an HTML error page); no server saw the request.
      assert.equal(response.status, 400, `${what} (${mode}): status`);
      assert.equal(response.hasHeader('allow'), false, `${what} (${mode}): not the server's 405`);
      assert.equal(response.header('connection')?.toLowerCase(), 'close', `${what} (${mode}): Connection`);
      return;
    case 'delivered-as-get': {
      // The server saw a GET with these headers: its answer must be the one to that GET.
      const asGet = await get(ctx.url, path, { headers });
      assert.ok(
        response.status >= 400 && response.status < 500,
        `${what} (${mode}): a 4xx (${response.status})`,
      );
      assert.equal(response.status, asGet.status, `${what} (${mode}): status of the GET`);
      assert.equal(
        response.header('content-type'),
        asGet.header('content-type'),
        `${what} (${mode}): Content-Type of the GET`,
      );
      assert.equal(response.text, asGet.text, `${what} (${mode}): body of the GET`);
      return;
    }
  }
}

/** A `{status, message}` error of PROTOCOL.md 1.0: text/plain and the message as body. */
export function assertError(response: CompleteResponse, status: number, message: string, what: string): void {
  assert.equal(response.status, status, `${what}: status (body ${JSON.stringify(response.text)})`);
  assert.equal(response.header('content-type'), TEXT_PLAIN, `${what}: Content-Type`);
  assert.equal(response.text, message, `${what}: body`);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads the next chunk of a stream as text and fails clearly when the body ended instead. */
export async function nextFrame(response: RawResponse, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
  const text = await response.nextText(timeoutMs);
  assert.notEqual(text, null, 'expected another chunk, but the response ended');
  return text!;
}

/** Asserts that the response body ends now (no further chunk). */
export async function assertEnded(response: RawResponse, what = 'response', timeoutMs = DEFAULT_TIMEOUT_MS) {
  const text = await response.nextText(timeoutMs);
  assert.equal(text, null, `${what}: expected the end of the body, got another chunk`);
}

/** How a streaming transport delimits its frames (PROTOCOL.md 1.8). */
export type StreamFraming = 'xhr' | 'eventsource' | 'htmlfile';

/**
 * On a coalesced target, how long a frame may take to show up once the reader asks for it. A
 * frame the server has written (e.g. the echo of an `xhr_send` that already answered 204) must
 * arrive within this: coalescing may merge frames, never hold one back.
 */
export const PROMPT_FRAME_MS = 1000;

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const SCRIPT_END = Buffer.from('</script>\r\n');
const LF = Buffer.from('\n');

/** Length of the first whole frame at the start of `buffer`, or -1 if it is not all there yet. */
function frameLength(framing: StreamFraming, buffer: Buffer, first: boolean): number {
  const through = (terminator: Buffer) => {
    const index = buffer.indexOf(terminator);
    return index === -1 ? -1 : index + terminator.length;
  };
  switch (framing) {
    case 'xhr':
      // The 2048 "h" prelude and every frame end with "\n".
      return through(LF);
    case 'eventsource':
      // The prelude is a bare CRLF; every event ends with an empty line.
      if (first && buffer.length >= 2 && buffer[0] === 0x0d && buffer[1] === 0x0a) return 2;
      return through(CRLF_CRLF);
    case 'htmlfile':
      // The padded document head ends with CRLF CRLF (its own "</script>" is followed by LF).
      return through(first ? CRLF_CRLF : SCRIPT_END);
  }
}

/**
 * The frames of a streaming response. On a `per-frame` target each frame must be exactly one
 * HTTP chunk (the strict check). On a `coalesced` target frames are cut out of the byte stream
 * by their framing, so the same frames, bytes and order are asserted, each within
 * `PROMPT_FRAME_MS` unless the caller waits longer on purpose (heartbeats).
 */
export class FrameReader {
  readonly response: RawResponse;
  readonly framing: StreamFraming;
  readonly chunking: 'per-frame' | 'coalesced';
  #buffer: Buffer = Buffer.alloc(0);
  #count = 0;

  constructor(response: RawResponse, framing: StreamFraming, chunking: 'per-frame' | 'coalesced') {
    this.response = response;
    this.framing = framing;
    this.chunking = chunking;
  }

  /** The next frame (the prelude first) as text; fails if the body ends or nothing comes in time. */
  async next(timeoutMs?: number): Promise<string> {
    if (this.chunking === 'per-frame') {
      this.#count++;
      return nextFrame(this.response, timeoutMs ?? DEFAULT_TIMEOUT_MS);
    }
    const limit = timeoutMs ?? PROMPT_FRAME_MS;
    const deadline = Date.now() + limit;
    for (;;) {
      const length = frameLength(this.framing, this.#buffer, this.#count === 0);
      if (length !== -1) {
        const frame = this.#buffer.subarray(0, length);
        this.#buffer = this.#buffer.subarray(length);
        this.#count++;
        return frame.toString('utf8');
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        assert.fail(
          `no whole ${this.framing} frame within ${limit} ms (have ${JSON.stringify(this.#buffer.toString())})`,
        );
      }
      let chunk: Buffer | null;
      try {
        chunk = await this.response.nextChunk(remaining);
      } catch (error) {
        throw new Error(
          `no whole ${this.framing} frame within ${limit} ms (have ${JSON.stringify(this.#buffer.toString())}): ${(error as Error).message}`,
        );
      }
      assert.notEqual(
        chunk,
        null,
        `expected another frame, but the response ended (have ${JSON.stringify(this.#buffer.toString())})`,
      );
      this.#buffer = Buffer.concat([this.#buffer, chunk!]);
    }
  }

  /** Asserts that the body ends now: no further frame, and no partial frame left over. */
  async assertEnded(what = 'response', timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    if (this.chunking === 'per-frame') return assertEnded(this.response, what, timeoutMs);
    assert.equal(this.#buffer.length, 0, `${what}: unread bytes ${JSON.stringify(this.#buffer.toString())}`);
    const text = await this.response.nextText(timeoutMs);
    assert.equal(text, null, `${what}: expected the end of the body, got ${JSON.stringify(text)}`);
  }

  abort(): void {
    this.response.abort();
  }
}
