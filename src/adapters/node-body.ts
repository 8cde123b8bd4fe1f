/**
 * Reading a `*_send` body of declared length straight from the `IncomingMessage`, under the
 * core's `bodyTimeout`: what `request.text()` on `@hono/node-server`'s Request does, without its
 * promise and listener bookkeeping, and without a `Timeout` per request (one per timeout value
 * serves every pending body).
 */
import type { IncomingMessage } from 'node:http';
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
      deadlines(timeoutMs).remove(deadline);
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
    const deadline = deadlines(timeoutMs).add(() => finish(TIMED_OUT));
  });
}

interface Deadline {
  at: number;
  fire: (() => void) | null;
  prev: Deadline | null;
  next: Deadline | null;
}

/**
 * Deadlines of one duration, oldest first (each is added `ms` from now, so the list stays in
 * order), under one timer armed for the oldest. Adding and removing one is a few pointer writes;
 * a Node `Timeout` per request costs its insertion into the timer lists, and (whenever its list
 * empties, as it does between requests) a priority-queue update and a libuv timer restart.
 */
class DeadlineList {
  readonly #ms: number;
  #head: Deadline | null = null;
  #tail: Deadline | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  add(fire: () => void): Deadline {
    const deadline: Deadline = { at: performance.now() + this.#ms, fire, prev: this.#tail, next: null };
    if (this.#tail === null) this.#head = deadline;
    else this.#tail.next = deadline;
    this.#tail = deadline;
    if (this.#timer === undefined) this.#arm(this.#ms);
    return deadline;
  }

  remove(deadline: Deadline): void {
    if (deadline.fire === null) return;
    deadline.fire = null;
    if (deadline.prev === null) this.#head = deadline.next;
    else deadline.prev.next = deadline.next;
    if (deadline.next === null) this.#tail = deadline.prev;
    else deadline.next.prev = deadline.prev;
    deadline.prev = deadline.next = null;
  }

  #arm(delay: number): void {
    // Never before the deadline: a timer may fire a little early by the monotonic clock, and
    // then it is armed again for the rest.
    this.#timer = setTimeout(this.#expire, Math.max(1, Math.ceil(delay)));
    this.#timer.unref();
  }

  readonly #expire = () => {
    this.#timer = undefined;
    const now = performance.now();
    for (let head = this.#head; head !== null && head.at <= now; head = this.#head) {
      const fire = head.fire!;
      this.remove(head);
      fire();
    }
    if (this.#head !== null) this.#arm(this.#head.at - now);
  };
}

const lists = new Map<number, DeadlineList>();

function deadlines(ms: number): DeadlineList {
  let list = lists.get(ms);
  if (list === undefined) {
    list = new DeadlineList(ms);
    lists.set(ms, list);
  }
  return list;
}
