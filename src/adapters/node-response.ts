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
