/**
 * A promise-based wrapper around the `ws` client: messages are queued and read one at a time
 * with a timeout, and the close code and reason are kept.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { DEFAULT_TIMEOUT_MS } from './raw-http.ts';

export interface WsClose {
  code: number;
  reason: string;
}

export class WsClient {
  readonly socket: WebSocket;
  /** The 101 response, as seen by `ws`'s `upgrade` event. */
  readonly upgrade: IncomingMessage;
  /** The `Sec-WebSocket-Key` this client sent. */
  readonly key: string;
  readonly closed: Promise<WsClose>;
  /**
   * Resolves when the server's close frame arrives, or with the close event if the connection
   * ends without one (code 1006). Can come well before `closed`: the TCP end may lag behind.
   */
  readonly closeFrame: Promise<WsClose>;
  readonly #queue: string[] = [];
  #wake: (() => void) | null = null;
  #close: WsClose | null = null;

  private constructor(socket: WebSocket, upgrade: IncomingMessage, key: string) {
    this.socket = socket;
    this.upgrade = upgrade;
    this.key = key;
    socket.on('message', (data: WebSocket.RawData) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      this.#queue.push(bytes.toString('utf8'));
      this.#notify();
    });
    this.closed = new Promise<WsClose>((resolve) => {
      socket.on('close', (code: number, reason: Buffer) => {
        this.#close = { code, reason: reason.toString('utf8') };
        this.#notify();
        resolve(this.#close);
      });
    });
    this.closeFrame = new Promise<WsClose>((resolve) => {
      void this.closed.then(resolve);
      const internals = socket as unknown as WsInternals;
      if (internals._closeFrameReceived) {
        resolve({ code: internals._closeCode, reason: internals._closeMessage.toString('utf8') });
        return;
      }
      // `ws` emits 'close' only once the TCP connection has ended; its receiver reports the
      // close frame itself (`conclude`, which also sets `_closeFrameReceived`) when it arrives.
      internals._receiver?.on('conclude', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
    // Errors after the handshake surface as a close; keep them from crashing the process.
    socket.on('error', () => {});
  }

  /**
   * Connects to a `ws://` URL; rejects on a non-101 answer (with its status) or after a timeout.
   * `headers` are added to the handshake request (e.g. `Origin`, `X-Forwarded-For`).
   */
  static connect(
    url: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    headers?: Readonly<Record<string, string>>,
  ): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      let key = '';
      const socket = new WebSocket(url, {
        handshakeTimeout: timeoutMs,
        ...(headers ? { headers: { ...headers } } : {}),
        finishRequest: (request) => {
          key = String(request.getHeader('sec-websocket-key'));
          request.end();
        },
      });
      let upgrade: IncomingMessage | null = null;
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`timed out after ${timeoutMs} ms opening ${url}`));
      }, timeoutMs);
      socket.once('upgrade', (response: IncomingMessage) => {
        upgrade = response;
      });
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new WsClient(socket, upgrade!, key));
      });
      socket.once('unexpected-response', (_request, response: IncomingMessage) => {
        clearTimeout(timer);
        response.resume();
        socket.terminate();
        reject(new WsHandshakeError(url, response.statusCode ?? 0));
      });
      socket.once('error', (error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** The next text message. Rejects if the socket closes first or nothing arrives in time. */
  async next(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.#queue.shift();
      if (message !== undefined) return message;
      if (this.#close !== null) {
        throw new Error(
          `websocket closed (${this.#close.code} ${this.#close.reason}) while waiting for a message`,
        );
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for a websocket message`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#wake = null;
          resolve();
        }, remaining);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Messages received but not yet read. */
  get pending(): readonly string[] {
    return this.#queue;
  }

  send(text: string): void {
    this.socket.send(text);
  }

  /** Resolves with the close code and reason; rejects if the socket stays open too long. */
  async waitForClose(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<WsClose> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`websocket still open after ${timeoutMs} ms (expected it to close)`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves with the code and reason of the server's close frame as soon as it arrives (or of
   * the close event, if the connection ends first); rejects if neither comes in time. Unlike
   * `waitForClose` it does not wait for the TCP connection to end.
   */
  async waitForCloseFrame(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<WsClose> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no websocket close frame within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closeFrame, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes politely and waits (briefly) for the close handshake; never throws. */
  async close(): Promise<void> {
    if (this.#close !== null) return;
    this.socket.close(1000);
    try {
      await this.waitForClose(1000);
    } catch {
      this.socket.terminate();
    }
  }

  terminate(): void {
    this.socket.terminate();
  }
}

/**
 * The parts of `ws`'s `WebSocket` (node_modules/ws/lib/websocket.js) that record a received
 * close frame: `receiverOnConclude` sets the three fields when the receiver emits `conclude`.
 */
interface WsInternals {
  _closeFrameReceived: boolean;
  _closeCode: number;
  _closeMessage: Buffer;
  _receiver?: { on(event: 'conclude', listener: (code: number, reason: Buffer) => void): void };
}

export class WsHandshakeError extends Error {
  readonly status: number;
  constructor(url: string, status: number) {
    super(`websocket handshake to ${url} answered HTTP ${status}`);
    this.status = status;
  }
}

/** `http://host:port` to `ws://host:port`. */
export function toWsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}
