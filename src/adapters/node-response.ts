/**
 * Writes a Fetch `Response` to a `node:http` `ServerResponse`, in as few socket writes as the
 * body allows. Headers are never flushed on their own: they leave with the first body bytes (or
 * the end), and whatever the body yields within one turn of the event loop goes out in a single
 * write: a polling response's headers, frame and chunked terminator; a burst of streamed frames.
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
  // A body that is complete at once (a string, an error page) goes out with a Content-Length.
  const ready: Uint8Array[] = [];
  let pending = reader.read();
  for (;;) {
    const next = await settledNow(pending);
    if (next === NOT_YET) break;
    if (next.done) {
      const whole = ready.length === 1 ? ready[0]! : Buffer.concat(ready);
      head['content-length'] = whole.byteLength;
      outgoing.writeHead(response.status, head);
      outgoing.end(whole);
      return;
    }
    ready.push(next.value);
    pending = reader.read();
  }
  outgoing.writeHead(response.status, head);
  await streamBody(reader, pending, ready, outgoing);
}

/** The rest of a body that is still being written, chunk by chunk as it comes. */
async function streamBody(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  pending: ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>,
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

const NOT_YET = Symbol('not yet');

/** The promise's value if it is already settled (a few microtasks at most), else `NOT_YET`. */
function settledNow<T>(promise: Promise<T>): Promise<T | typeof NOT_YET> {
  return Promise.race([promise, Promise.resolve().then(() => Promise.resolve(NOT_YET))]);
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
