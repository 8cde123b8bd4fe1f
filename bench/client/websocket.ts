/**
 * A WebSocket load client: SockJS framing (`S/websocket`: `o`, `a[...]`, messages sent as
 * `["..."]`) or none (`P/websocket`, or a plain WebSocket server).
 */
import WebSocket from 'ws';
import { deferred, withTimeout } from '../timing.ts';
import { parseFrame } from './frames.ts';

export type Framing = 'sockjs' | 'raw';

export class BenchSocket {
  /** Called with every message the server sent, unwrapped from its frames. */
  onMessage: (message: string) => void = () => {};
  /** Called once if the connection ends after it opened (not after `terminate()`). */
  onClose: (code: number, reason: string) => void = () => {};
  readonly #socket: WebSocket;
  readonly #framing: Framing;
  #closed = false;

  private constructor(socket: WebSocket, framing: Framing) {
    this.#socket = socket;
    this.#framing = framing;
  }

  /** Connects and resolves once the session is open (the `o` frame, or the handshake for raw). */
  static open(url: string, framing: Framing, timeoutMs = 10_000): Promise<BenchSocket> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const client = new BenchSocket(socket, framing);
    const opened = deferred<BenchSocket>();
    socket.on('error', (error) => opened.reject(error));
    socket.on('close', (code, reason) => {
      const wasOpen = !client.#closed;
      client.#closed = true;
      opened.reject(new Error(`closed before open: ${code} ${reason.toString()}`));
      if (wasOpen) client.onClose(code, reason.toString());
    });
    if (framing === 'raw') {
      socket.on('open', () => opened.resolve(client));
      socket.on('message', (data) => client.onMessage(data.toString()));
    } else {
      socket.on('message', (data) => {
        const frame = parseFrame(data.toString());
        if (frame.type === 'open') opened.resolve(client);
        else if (frame.type === 'messages') for (const message of frame.messages) client.onMessage(message);
        else if (frame.type === 'close') socket.terminate();
      });
    }
    return withTimeout(opened.promise, timeoutMs, `opening ${url}`).catch((error: Error) => {
      socket.terminate();
      throw error;
    });
  }

  get closed(): boolean {
    return this.#closed || this.#socket.readyState !== WebSocket.OPEN;
  }

  send(message: string): void {
    this.#socket.send(this.#framing === 'sockjs' ? JSON.stringify([message]) : message);
  }

  /** Drops the connection at once (no close handshake to wait for). */
  terminate(): void {
    this.#closed = true;
    this.#socket.terminate();
  }
}
