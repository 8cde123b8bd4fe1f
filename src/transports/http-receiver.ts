/**
 * A receiver that streams frames into one HTTP response body. Every frame is enqueued as its
 * own chunk (the protocol suite reads one HTTP chunk per frame) and counted against the
 * response limit. A cancelled body or aborted request means the client went away.
 */
import type { Receiver } from '../receiver.ts';
import type { Session } from '../session.ts';

const encoder = new TextEncoder();

export interface HttpReceiverOptions {
  protocol: string;
  /** Wraps a frame in the transport's framing. */
  format: (frame: string) => string;
  /** Framed characters after which the response ends; 1 makes a polling receiver. */
  limit: number;
  /** Written first and not counted against the limit. */
  prelude?: string;
  signal?: AbortSignal;
}

export class HttpReceiver implements Receiver {
  readonly protocol: string;
  readonly body: ReadableStream<Uint8Array>;
  /** The session this receiver reports to once attached. */
  session: Session | null = null;
  readonly #format: (frame: string) => string;
  readonly #limit: number;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #written = 0;
  #closed = false;

  constructor(options: HttpReceiverOptions) {
    this.protocol = options.protocol;
    this.#format = options.format;
    this.#limit = options.limit;
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        if (options.prelude !== undefined) controller.enqueue(encoder.encode(options.prelude));
      },
      cancel: () => this.#aborted(),
    });
    options.signal?.addEventListener('abort', () => this.#aborted(), { once: true });
  }

  sendFrame(frame: string): boolean {
    if (this.#closed) return false;
    const text = this.#format(frame);
    this.#controller.enqueue(encoder.encode(text));
    this.#written += text.length;
    return this.#written < this.#limit;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.close();
  }

  #aborted(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.session?.receiverAborted(this);
  }
}
