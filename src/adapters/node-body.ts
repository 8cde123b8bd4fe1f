/**
 * Reading a `*_send` body of declared length straight from the `IncomingMessage`, under the
 * core's `bodyTimeout`: what `request.text()` on `@hono/node-server`'s Request does, without its
 * promise and listener bookkeeping, and without a `Timeout` per request (one per timeout value
 * serves every pending body).
 */
import type { IncomingMessage } from 'node:http';
import { deadlinesOf } from '../deadlines.ts';
import type { BodyResult } from '../http.ts';

const TIMED_OUT: BodyResult = { ok: false, error: 'timeout' };
const ABORTED: BodyResult = { ok: false, error: 'aborted' };
const EMPTY: BodyResult = { ok: true, text: '' };
const decoder = new TextDecoder();

/**
 * The whole body as UTF-8 (decoded as `request.text()` does), or `timeout` once `timeoutMs` have
 * passed, or `aborted` if the client left first. The runtime has bounded the body by its declared
 * length. On timeout the reading stops; the core's 408 closes the connection.
 */
export function readIncomingText(incoming: IncomingMessage, timeoutMs: number): Promise<BodyResult> {
  if (incoming.readableEnded) return Promise.resolve(EMPTY);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      deadlinesOf(timeoutMs).delete(onTimeout);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('close', onClose);
      incoming.off('error', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.byteLength;
    };
    const onEnd = () => {
      const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      finish(size === 0 ? EMPTY : { ok: true, text: decoder.decode(whole) });
    };
    // 'close' without 'end': the client went away mid-body. An error is followed by 'close'.
    const onClose = () => finish(ABORTED);
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('close', onClose);
    incoming.once('error', onClose);
    const onTimeout = () => finish(TIMED_OUT);
    deadlinesOf(timeoutMs).set(onTimeout);
  });
}
