/**
 * A receiver that answers one polling request (`xhr`, `jsonp`) with one frame. The request is
 * held open until the frame comes, and the response is then made with the whole body at once:
 * no stream is built for a body that is always a single frame (on Node 20 a web stream costs
 * more than the rest of the request), and every runtime can send it with a Content-Length.
 */
import type { ResponseHeaders } from '../protocol/headers.ts';
import type { Receiver } from '../receiver.ts';
import type { Session } from '../session.ts';

export interface PollingReceiverOptions {
  protocol: string;
  /** Wraps the frame in the transport's framing. */
  format: (frame: string) => string;
  /** Headers of the eventual 200 response. */
  headers: ResponseHeaders;
}

export class PollingReceiver implements Receiver {
  readonly protocol: string;
  /** Settles with the response once a frame comes (or the receiver closes without one). */
  readonly response: Promise<Response>;
  /** The session this receiver reports to once attached. */
  session: Session | null = null;
  readonly #format: (frame: string) => string;
  readonly #headers: ResponseHeaders;
  #respond!: (response: Response) => void;
  #closed = false;

  constructor(options: PollingReceiverOptions) {
    this.protocol = options.protocol;
    this.#format = options.format;
    this.#headers = options.headers;
    this.response = new Promise((resolve) => {
      this.#respond = resolve;
    });
  }

  /** Answers with this frame; a polling response carries one, so it is always the last. */
  sendFrame(frame: string): boolean {
    if (!this.#closed) this.#answer(this.#format(frame));
    return false;
  }

  writable(): boolean {
    return !this.#closed;
  }

  /** Never called: a polling receiver is writable until its only frame. */
  whenWritable(): void {}

  close(): void {
    if (!this.#closed) this.#answer('');
  }

  /** The client went away before its answer: the session hears the connection was interrupted. */
  clientGone(): void {
    if (this.#closed) return;
    this.#answer('');
    this.session?.receiverAborted(this);
  }

  #answer(body: string): void {
    this.#closed = true;
    this.#respond(new Response(body, { status: 200, headers: this.#headers }));
  }
}
