/**
 * `websocket`: a SockJS session framed over one WebSocket (PROTOCOL.md 1.8). The socket is the
 * session's only receiver for its whole life; heartbeats are `h` frames, which every runtime
 * can send (not all of them expose WebSocket pings).
 */
import { requestInfo } from '../connection.ts';
import type { CloseInfo } from '../events.ts';
import { parseClientPayload } from '../protocol/frames.ts';
import type { Receiver } from '../receiver.ts';
import type { ServerWebSocket } from '../runtime.ts';
import type { Session } from '../session.ts';
import type { EndpointContext } from './context.ts';
import { messageText, rejectInvalidUpgrade } from './websocket-upgrade.ts';

class WebSocketReceiver implements Receiver {
  readonly protocol = 'websocket';
  readonly #socket: ServerWebSocket;
  #closed = false;

  constructor(socket: ServerWebSocket) {
    this.#socket = socket;
  }

  sendFrame(frame: string): boolean {
    if (!this.#closed) this.#socket.send(frame);
    return true;
  }

  /** The close frame went out as a SockJS frame; the WebSocket itself closes normally. */
  close(): void {
    this.closeSocket(1000, 'Normal closure');
  }

  closeSocket(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close(code, reason);
  }
}

const BROKEN_FRAMING: CloseInfo = { code: 3000, reason: 'Broken framing.', wasClean: false };
const TOO_BIG: CloseInfo = { code: 1009, reason: 'Message too big', wasClean: false };

export function websocket(ctx: EndpointContext): Response | Promise<Response> {
  const invalid = rejectInvalidUpgrade(ctx);
  if (invalid !== null) return invalid;
  const info = requestInfo(ctx.request, ctx.runtime.remoteAddress);
  let session: Session | null = null;
  let receiver: WebSocketReceiver | null = null;

  const fail = (close: CloseInfo) => {
    receiver!.closeSocket(close.code, close.reason);
    session!.receiverLost(receiver!, close);
  };

  return ctx.runtime.upgradeWebSocket!(ctx.request, {
    onOpen(socket) {
      session = ctx.sessions.createUnregistered('websocket');
      receiver = new WebSocketReceiver(socket);
      session.attach(receiver, info);
    },
    onMessage(data) {
      if (session === null) return;
      const text = messageText(data);
      if (text.length > ctx.options.maxMessageSize) return fail(TOO_BIG);
      // Empty messages carry nothing; the client never sends them, but they are not an error.
      if (text === '') return;
      const parsed = parseClientPayload(text, true);
      if (!parsed.ok) return fail(BROKEN_FRAMING);
      session.deliver(parsed.messages);
    },
    onClose(code, reason, wasClean) {
      session?.receiverLost(receiver!, { code, reason, wasClean });
    },
  });
}
