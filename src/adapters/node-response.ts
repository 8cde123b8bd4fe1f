/**
 * Writes a Fetch `Response` to a `node:http` `ServerResponse`, in as few socket writes as the
 * body allows. Headers are never flushed on their own: they leave with the first body bytes (or
 * the end), and whatever the body yields within one turn of the event loop goes out in a single
 * write: the headers with a stream's prelude; a burst of streamed frames.
 * On loopback every write is a syscall that also runs the peer's TCP receive path, so this is
 * most of the CPU a small response costs.
 *
 * A body that is complete at once is sent with a Content-Length; one that is not is sent chunked.
 * It is cancelled when the client goes away before it ends: that is how a session learns its
 * receiver is gone.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { rememberingLast } from '../protocol/frames.ts';
import type { FrameSink, FrameSinkEvents } from '../runtime.ts';

export async function writeResponse(response: Response, outgoing: ServerResponse): Promise<void> {
  const head = nodeHeaders(response.headers);
  const body = response.body;
  if (body === null) {
    outgoing.writeHead(response.status, head);
    outgoing.end();
    return;
  }
  const reader = body.getReader();
  const ready = await readReady(reader);
  if (ready.pending === null) {
    const whole = ready.chunks.length === 1 ? ready.chunks[0]! : Buffer.concat(ready.chunks);
    head['content-length'] = whole.byteLength;
    outgoing.writeHead(response.status, head);
    outgoing.end(whole);
    return;
  }
  outgoing.writeHead(response.status, head);
  await streamBody(reader, ready.pending, ready.chunks, outgoing);
}

/** A streaming response: through its frame sink where the sink can take it, else as a stream. */
export function writeStreamingResponse(
  response: Response,
  outgoing: ServerResponse,
  sink: NodeFrameSink | null,
): Promise<void> {
  if (sink?.claim(response, outgoing, nodeHeaders(response.headers))) return Promise.resolve();
  return writeResponse(response, outgoing);
}

type Read = ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>;

/**
 * What a body has ready within this turn of the event loop. `pending` is null when that is all
 * of it (the answer can carry a Content-Length), else the read still under way.
 */
export async function readReady(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<{ chunks: Uint8Array[]; pending: Read | null }> {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const pending = reader.read();
    const next = await Promise.race([pending, new Promise<null>((resolve) => setImmediate(resolve, null))]);
    if (next === null) return { chunks, pending };
    if (next.done) return { chunks, pending: null };
    chunks.push(next.value);
  }
}

/** The rest of a body that is still being written, chunk by chunk as it comes. */
async function streamBody(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  pending: Read,
  ready: Uint8Array[],
  outgoing: ServerResponse,
): Promise<void> {
  let corked = false;
  const uncork = () => {
    corked = false;
    outgoing.uncork();
  };
  // Everything written until the current microtasks have run leaves in one write.
  const cork = () => {
    if (corked) return;
    corked = true;
    outgoing.cork();
    process.nextTick(uncork);
  };
  let gone = false;
  const onClose = () => {
    gone = true;
    reader.cancel().catch(() => {});
  };
  if (outgoing.destroyed) onClose();
  else outgoing.once('close', onClose);
  try {
    if (ready.length > 0) cork();
    for (const chunk of ready) outgoing.write(chunk);
    for (;;) {
      const next = await pending;
      if (next.done || gone) break;
      cork();
      if (!outgoing.write(next.value)) await drainOrClose(outgoing);
      pending = reader.read();
    }
    if (!gone) {
      cork();
      outgoing.end();
    }
  } catch {
    // The body errored: end the response abruptly rather than as if it were complete.
    outgoing.destroy();
  } finally {
    outgoing.off('close', onClose);
  }
}

/** Resolves once the socket takes writes again, or the response is gone. */
function drainOrClose(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off('drain', done);
      outgoing.off('close', done);
      resolve();
    };
    outgoing.on('drain', done);
    outgoing.on('close', done);
  });
}

/** A Fetch `Headers` as `node:http` takes them; `Set-Cookie` stays one header per cookie. */
export function nodeHeaders(headers: Headers): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}

/**
 * A streaming response's frames written straight to the `ServerResponse`, each with one
 * `write` (Node corks the socket until the end of the tick, so a burst leaves in one syscall),
 * rather than through a web stream's queue, read promises and hops.
 *
 * Until the adapter claims it for its response (see `claim`), written text is held here. A body
 * that is never claimed (a middleware replaced the Response, or an upgrade request is answered
 * on the raw socket) is a plain web stream that hands over the held text, then every write, as
 * it is read.
 */
export class NodeFrameSink implements FrameSink {
  readonly body: ReadableStream<Uint8Array>;
  readonly #events: FrameSinkEvents;
  readonly #highWaterMark: number;
  /** Written before the sink was claimed or read. */
  #held: string[] = [];
  #heldLength = 0;
  #outgoing: ServerResponse | null = null;
  /**
   * The response's socket, once its head is out, its body chunked and the socket its own: a frame
   * then leaves as one whole HTTP chunk in one socket write (the response writes four pieces).
   */
  #socket: Socket | null = null;
  /** Set once the body is read as a web stream: writes go to its controller from then on. */
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  #closed = false;
  #awaitingDrain = false;

  constructor(events: FrameSinkEvents, highWaterMark: number) {
    this.#events = events;
    this.#highWaterMark = highWaterMark;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    // A high water mark of 0: nothing is pulled until someone reads the body.
    this.body = new ReadableStream(
      {
        start: (c) => {
          controller = c;
        },
        pull: () => {
          if (this.#controller === null) this.#readAsStream(controller);
          else events.writable();
        },
        cancel: () => events.cancel(),
      },
      { highWaterMark: 0, size: (chunk?: Uint8Array) => chunk?.byteLength ?? 0 },
    );
  }

  write(text: string): void {
    const socket = this.#socket;
    if (socket !== null) {
      // An empty chunk would be the body's last chunk; the response itself skips empty writes.
      if (text === '') return;
      if (!socket.destroyed && !socket.write(httpChunk(text)) && !this.#awaitingDrain)
        this.#awaitDrain(socket);
      return;
    }
    const outgoing = this.#outgoing;
    if (outgoing !== null) {
      if (!outgoing.destroyed && !outgoing.write(textBytes(text)) && !this.#awaitingDrain) {
        this.#awaitDrain(outgoing);
      }
    } else if (this.#controller !== null) {
      this.#controller.enqueue(encoder.encode(text));
    } else {
      this.#held.push(text);
      this.#heldLength += text.length;
    }
  }

  writable(): boolean {
    if (this.#outgoing !== null) return this.#outgoing.writableLength < this.#highWaterMark;
    if (this.#controller !== null) return (this.#controller.desiredSize ?? 0) + this.#highWaterMark > 0;
    return this.#heldLength < this.#highWaterMark;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#outgoing !== null) this.#outgoing.end();
    else if (this.#controller !== null) {
      try {
        this.#controller.close();
      } catch {
        // Cancelled by the client meanwhile.
      }
    }
  }

  /**
   * Sends the response on `outgoing` if `response` carries this sink's body and nothing has read
   * it: the head and the text held so far leave in one write, later frames as they come.
   */
  claim(response: Response, outgoing: ServerResponse, head: OutgoingHttpHeaders): boolean {
    if (response.body !== this.body || this.body.locked || this.#controller !== null) return false;
    this.#outgoing = outgoing;
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) this.#events.cancel();
    });
    outgoing.writeHead(response.status, head);
    for (const text of this.#held) outgoing.write(text);
    const socket = outgoing.socket as (Socket & { _httpMessage?: unknown }) | null;
    // The head left with the first write, unless the socket still serves an earlier response.
    if (this.#held.length > 0 && outgoing.chunkedEncoding && socket?._httpMessage === outgoing) {
      this.#socket = socket;
    }
    this.#held = [];
    this.#heldLength = 0;
    if (this.#closed) outgoing.end();
    return true;
  }

  #readAsStream(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.#controller = controller;
    for (const text of this.#held) controller.enqueue(encoder.encode(text));
    this.#held = [];
    this.#heldLength = 0;
    if (this.#closed) controller.close();
  }

  #awaitDrain(target: ServerResponse | Socket): void {
    this.#awaitingDrain = true;
    target.once('drain', () => {
      this.#awaitingDrain = false;
      this.#events.writable();
    });
  }
}

const encoder = new TextEncoder();

/** `text` as one HTTP/1.1 chunk (size, data, CRLF); built once for a broadcast's recipients. */
const httpChunk = rememberingLast((text): Buffer => {
  const length = Buffer.byteLength(text);
  const size = `${length.toString(16)}\r\n`;
  const chunk = Buffer.allocUnsafe(size.length + length + 2);
  chunk.write(size, 0, 'latin1');
  chunk.write(text, size.length);
  chunk.write('\r\n', size.length + length, 'latin1');
  return chunk;
});

/** The UTF-8 bytes of `text`; encoded once for a broadcast's recipients. */
export const textBytes = rememberingLast((text): Buffer => Buffer.from(text));
