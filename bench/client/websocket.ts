/**
 * A WebSocket load client: SockJS framing (`S/websocket`: `o`, `a[...]`, messages sent as
 * `["..."]`) or none (`P/websocket`, or a plain WebSocket server).
 */
import { deferred, withTimeout } from '../timing.ts';
import { parseFrame } from './frames.ts';
import { LeanWebSocket } from './lean-websocket.ts';

export type Framing = 'sockjs' | 'raw';

export class BenchSocket {
  /** Called with every message the server sent, unwrapped from its frames. */
  onMessage: (message: string) => void = () => {};
  /** Called once if the connection ends after it opened (not after `terminate()`). */
  onClose: (code: number, reason: string) => void = () => {};
  readonly #socket: LeanWebSocket;
  readonly #framing: Framing;

  private constructor(socket: LeanWebSocket, framing: Framing) {
    this.#socket = socket;
    this.#framing = framing;
  }

  /** Connects and resolves once the session is open (the `o` frame, or the handshake for raw). */
  static async open(url: string, framing: Framing, timeoutMs = 10_000): Promise<BenchSocket> {
    const started = performance.now();
    const socket = await LeanWebSocket.connect(url, timeoutMs);
    const client = new BenchSocket(socket, framing);
    const closedAfterOpen = (code: number, reason: string) => client.onClose(code, reason);
    if (framing === 'raw') {
      socket.onClose = closedAfterOpen;
      socket.onText = (text) => client.onMessage(text);
      return client;
    }
    const opened = deferred<BenchSocket>();
    socket.onClose = (code, reason) => opened.reject(new Error(`closed before open: ${code} ${reason}`));
    socket.onText = (text) => {
      const frame = parseFrame(text);
      if (frame.type === 'open') {
        socket.onClose = closedAfterOpen;
        opened.resolve(client);
      } else if (frame.type === 'messages') for (const message of frame.messages) client.onMessage(message);
      else if (frame.type === 'close') {
        // The SockJS close frame ends the session: no need to wait for the socket's own close.
        socket.terminate();
        socket.onClose(frame.code, frame.reason);
      }
    };
    const left = Math.max(1, timeoutMs - (performance.now() - started));
    return withTimeout(opened.promise, left, `opening ${url}`).catch((error: Error) => {
      socket.terminate();
      throw error;
    });
  }

  get closed(): boolean {
    return this.#socket.closed;
  }

  send(message: string): void {
    this.#socket.sendText(this.#framing === 'sockjs' ? JSON.stringify([message]) : message);
  }

  /** Drops the connection at once (no close handshake to wait for). */
  terminate(): void {
    this.#socket.terminate();
  }
}
