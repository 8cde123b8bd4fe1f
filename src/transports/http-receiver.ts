/**
 * A receiver that streams frames into one HTTP response body (`xhr_streaming`, `eventsource`,
 * `htmlfile`). Every frame is written as its own chunk (the protocol suite reads one HTTP chunk
 * per frame) and counted against the response limit. A cancelled body means the client went away.
 */
import type { Receiver } from '../receiver.ts';
import type { FrameSink, FrameSinkEvents, RuntimeContext, StreamingSource } from '../runtime.ts';
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
  /** Where the frames go, where the runtime has its own way (see `RuntimeContext`). */
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
  readonly #sink: FrameSink;
  #written = 0;
  #closed = false;
  #onWritable: (() => void) | null = null;

  constructor(options: HttpReceiverOptions) {
    this.protocol = options.protocol;
    this.#format = options.format;
    this.#limit = options.limit;
    const events: FrameSinkEvents = {
      // The client is keeping up again.
      writable: () => {
        const callback = this.#onWritable;
        this.#onWritable = null;
        if (!this.#closed) callback?.();
      },
      cancel: () => this.clientGone(),
    };
    const runtime = options.runtime;
    this.#sink =
      runtime.frameSink?.(events, HIGH_WATER_MARK) ?? new WebStreamSink(runtime, events, HIGH_WATER_MARK);
    this.body = this.#sink.body;
    if (options.prelude !== undefined) this.#sink.write(options.prelude);
  }

  sendFrame(frame: string): boolean {
    if (this.#closed) return false;
    const text = this.#format(frame);
    this.#sink.write(text);
    this.#written += text.length;
    return this.#written < this.#limit;
  }

  writable(): boolean {
    return !this.#closed && this.#sink.writable();
  }

  whenWritable(callback: () => void): void {
    this.#onWritable = callback;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sink.close();
  }

  /** The client went away before the response ended: the session hears it was interrupted. */
  clientGone(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.session?.receiverAborted(this);
  }
}

/** The default sink: a web stream, one enqueued chunk per write, bounded by `highWaterMark` bytes. */
class WebStreamSink implements FrameSink {
  readonly body: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;

  constructor(runtime: RuntimeContext, events: FrameSinkEvents, highWaterMark: number) {
    const source: StreamingSource = {
      start: (controller) => {
        this.#controller = controller;
      },
      // Called when the runtime wants more: the client is keeping up again.
      pull: () => events.writable(),
      cancel: () => events.cancel(),
    };
    const strategy = { highWaterMark, size: (chunk?: Uint8Array) => chunk?.byteLength ?? 0 };
    this.body = runtime.streamingBody?.(source, strategy) ?? new ReadableStream(source, strategy);
  }

  write(text: string): void {
    // Bytes of its own for every response, even for a broadcast's shared frame: a runtime may
    // take (detach) the buffer of a chunk it has read, while another response still queues it.
    this.#controller.enqueue(encoder.encode(text));
  }

  writable(): boolean {
    return (this.#controller.desiredSize ?? 0) > 0;
  }

  close(): void {
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
}
