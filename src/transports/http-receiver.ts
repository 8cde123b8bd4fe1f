/**
 * A receiver that streams frames into one HTTP response body (`xhr_streaming`, `eventsource`,
 * `htmlfile`). Every frame is enqueued as its own chunk (the protocol suite reads one HTTP chunk
 * per frame) and counted against the response limit. A cancelled body means the client went away.
 */
import type { Receiver } from '../receiver.ts';
import type { RuntimeContext, StreamingSource } from '../runtime.ts';
import type { Session } from '../session.ts';

const encoder = new TextEncoder();

/**
 * Bytes a response may hold that the runtime has not taken yet (it stops taking them when the
 * client's socket is full). Beyond it the session keeps messages in its own bounded queue.
 */
const HIGH_WATER_MARK = 256 * 1024;

export interface HttpReceiverOptions {
  protocol: string;
  /** Wraps a frame in the transport's framing. */
  format: (frame: string) => string;
  /** Framed characters after which the response ends (`response_limit`). */
  limit: number;
  /** Written first and not counted against the limit. */
  prelude?: string;
  /** Builds the body stream, where the runtime has its own way (see `RuntimeContext`). */
  runtime: RuntimeContext;
}

export class HttpReceiver implements Receiver {
  readonly protocol: string;
  readonly streaming = true;
  readonly body: ReadableStream<Uint8Array>;
  /** The session this receiver reports to once attached. */
  session: Session | null = null;
  readonly #format: (frame: string) => string;
  readonly #limit: number;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #written = 0;
  #closed = false;
  #onWritable: (() => void) | null = null;

  constructor(options: HttpReceiverOptions) {
    this.protocol = options.protocol;
    this.#format = options.format;
    this.#limit = options.limit;
    const source: StreamingSource = {
      start: (controller) => {
        this.#controller = controller;
        if (options.prelude !== undefined) controller.enqueue(encoder.encode(options.prelude));
      },
      // Called when the runtime wants more: the client is keeping up again.
      pull: () => {
        const callback = this.#onWritable;
        this.#onWritable = null;
        if (!this.#closed) callback?.();
      },
      cancel: () => this.clientGone(),
    };
    const strategy = { highWaterMark: HIGH_WATER_MARK, size: (chunk?: Uint8Array) => chunk?.byteLength ?? 0 };
    this.body = options.runtime.streamingBody?.(source, strategy) ?? new ReadableStream(source, strategy);
  }

  sendFrame(frame: string): boolean {
    if (this.#closed) return false;
    const text = this.#format(frame);
    this.#controller.enqueue(encoder.encode(text));
    this.#written += text.length;
    return this.#written < this.#limit;
  }

  writable(): boolean {
    return !this.#closed && (this.#controller.desiredSize ?? 0) > 0;
  }

  whenWritable(callback: () => void): void {
    this.#onWritable = callback;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A streaming response ends a task later: one that is complete before the runtime looks at
    // it (a session closed at once) would otherwise be sent with a Content-Length by runtimes
    // that size complete bodies (Bun), instead of streamed like every other.
    setTimeout(() => {
      try {
        this.#controller.close();
      } catch {
        // Cancelled by the client meanwhile.
      }
    }, 0);
  }

  /** The client went away before the response ended: the session hears it was interrupted. */
  clientGone(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.session?.receiverAborted(this);
  }
}
