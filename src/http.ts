/**
 * Response helpers shared by the endpoints: the protocol's plain-text errors and the header
 * chain (`h_sid`, `h_no_cache`, `xhr_cors`) of PROTOCOL.md 1.0.
 */
import { deadlinesOf } from './deadlines.ts';
import type { ResolvedOptions } from './options.ts';
import { CONTENT_TYPE, type ResponseHeaders, setCors, setNoCache } from './protocol/headers.ts';
import type { RuntimeContext } from './runtime.ts';

export const NOT_FOUND_BODY = '404 Error: Page not found\n';

/**
 * The request's URL, or null when it is not absolute: Bun hands a handler the bare path when the
 * request has no valid `Host` header (HTTP/1.0, or a malformed one), where other runtimes answer
 * 400 themselves. Such a request is answered `badRequest()`, never an exception.
 */
export function requestUrl(request: Request): URL | null {
  // One parse on the hot path (`URL.canParse` and then `new URL` would parse twice).
  try {
    return new URL(request.url);
  } catch {
    return null;
  }
}

export const BAD_REQUEST_NO_HOST = 'Bad Request: no valid Host header\n';

export function badRequestNoHost(): Response {
  return textResponse(400, BAD_REQUEST_NO_HOST);
}

export function textResponse(status: number, body: string, headers: ResponseHeaders = {}): Response {
  headers['Content-Type'] = CONTENT_TYPE.text;
  return new Response(body, { status, headers });
}

export function notFound(headers?: ResponseHeaders): Response {
  return textResponse(404, NOT_FOUND_BODY, headers);
}

/** A handler's answer, or the protocol's 404 when it declined (`undefined`). */
export const orNotFound = (response: Response | undefined): Response => response ?? notFound();

/** 405 carries `Allow` and nothing else: no body, no Content-Type. */
export function methodNotAllowed(allow: string): Response {
  return new Response(null, { status: 405, headers: { Allow: allow } });
}

export interface HeaderChain {
  sid?: boolean;
  noCache?: boolean;
  cors?: boolean;
}

/** Builds the headers a route's helper chain sets, in the reference server's order. */
export function chainHeaders(
  request: Request,
  options: ResolvedOptions,
  chain: HeaderChain,
): ResponseHeaders {
  const headers: ResponseHeaders = {};
  if (chain.sid && options.jsessionid !== false) {
    const cookie = options.jsessionid(request);
    if (cookie) headers['Set-Cookie'] = cookie;
  }
  if (chain.noCache) setNoCache(headers);
  if (chain.cors && !options.disableCors) setCors(headers, request);
  return headers;
}

/** Responses whose body is a long-lived stream of frames (see `streamingResponse`). */
const streamingResponses = new WeakSet<Response>();

/**
 * A response whose body streams frames for as long as the session lasts. Adapters may write
 * these their own way (the Node adapter does): they are the ones whose writes are per message.
 */
export function streamingResponse(body: ReadableStream<Uint8Array>, init: ResponseInit): Response {
  const response = new Response(body, init);
  streamingResponses.add(response);
  return response;
}

export const isStreamingResponse = (response: Response): boolean => streamingResponses.has(response);

/** `aborted`: the body ended early (the client went away mid-body). */
export type BodyResult =
  | { ok: true; text: string }
  | { ok: false; error: 'too-large' | 'timeout' | 'aborted' };

const TOO_LARGE: BodyResult = { ok: false, error: 'too-large' };
const TIMED_OUT: BodyResult = { ok: false, error: 'timeout' };
const ABORTED: BodyResult = { ok: false, error: 'aborted' };

/**
 * Reads a request body as UTF-8, refusing more than `maxBytes` and giving up after `timeoutMs`:
 * a client that declares a body and never finishes it must not hold its connection (and, on
 * some runtimes, a buffer of the declared size) for as long as the runtime lets it.
 * A body of declared length is read by the runtime's `readBodyText` where it has one, else
 * whole with `request.text()` where that is cheap (`cheapBodyText`), else as a stream.
 */
export function readBody(
  request: Request,
  maxBytes: number,
  timeoutMs: number,
  runtime: RuntimeContext,
): Promise<BodyResult> {
  const declared = request.headers.get('Content-Length');
  // Not an async function: returning the promise below from one would cost two more hops.
  if (declared !== null && Number(declared) > maxBytes) return Promise.resolve(TOO_LARGE);
  if (declared !== null) {
    const read = runtime.readBodyText?.(request, timeoutMs);
    if (read !== undefined) return read;
  }
  const whole = runtime.cheapBodyText === true && declared !== null;
  if (!whole && request.body === null) return Promise.resolve({ ok: true, text: '' });
  // One promise settled by whichever comes first, the body or the deadline: no `Promise.race`
  // and no second promise for the deadline (each is a microtask hop per request). The deadline is
  // an entry in a queue shared by every body read with this timeout, not a timer per request.
  const deadlines = deadlinesOf(timeoutMs);
  return new Promise<BodyResult>((resolve) => {
    let cancel: (() => void) | undefined;
    const onTimeout = () => {
      cancel?.();
      resolve(TIMED_OUT);
    };
    deadlines.set(onTimeout);
    const done = (result: BodyResult) => {
      deadlines.delete(onTimeout);
      resolve(result);
    };
    const aborted = () => done(ABORTED);
    // The runtime enforces a declared length, so such a body can be read whole: much cheaper than
    // a stream reader on Node, where touching `request.body` builds a web stream. That read
    // cannot be cancelled; the 408 goes out with `Connection: close`, and closing the connection
    // ends it.
    if (whole) {
      request.text().then((text) => done({ ok: true, text }), aborted);
    } else {
      readStream(request.body!, maxBytes, (cancelRead) => {
        cancel = cancelRead;
      }).then(done, aborted);
    }
  });
}

async function readStream(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  onCancel: (cancel: () => void) => void,
): Promise<BodyResult> {
  const reader = body.getReader();
  onCancel(() => void reader.cancel().catch(() => {}));
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return { ok: true, text: decoder.decode(chunks[0]) };
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, text: decoder.decode(all) };
}

const decoder = new TextDecoder();
