/**
 * `websocket`: a SockJS session framed over one WebSocket (PROTOCOL.md 1.8). The socket is the
 * session's only receiver for its whole life; heartbeats are `h` frames, which every runtime
 * can send (not all of them expose WebSocket pings).
 */
import { newConnectionId, requestInfo, type SockJSConnection } from '../connection.ts';
import type { CloseInfo } from '../events.ts';
import type { ResolvedOptions } from '../options.ts';
import { parseClientPayload } from '../protocol/frames.ts';
import type { Receiver } from '../receiver.ts';
import type { ServerWebSocket, WebSocketHandlers, WebSocketInfo } from '../runtime.ts';
import type { Session } from '../session.ts';
import type { SessionRegistry } from '../session-registry.ts';
import { admit } from './admission.ts';
import type { EndpointContext } from './context.ts';
import { messageText, rejectInvalidUpgrade } from './websocket-upgrade.ts';

/** Bytes a WebSocket may have buffered before the session holds messages back. */
const WEBSOCKET_HIGH_WATER_MARK = 1024 * 1024;
/** How often a backed-up WebSocket is checked (runtimes have no common "drain" event). */
const DRAIN_CHECK_MS = 50;

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

  writable(): boolean {
    return (this.#socket.bufferedAmount?.() ?? 0) < WEBSOCKET_HIGH_WATER_MARK;
  }

  whenWritable(callback: () => void): void {
    const check = () => {
      if (this.#closed) return;
      if (this.writable()) callback();
      else setTimeout(check, DRAIN_CHECK_MS);
    };
    setTimeout(check, DRAIN_CHECK_MS);
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

export interface WebSocketBindingContext {
  sessions: SessionRegistry;
  options: ResolvedOptions;
  manualHeartbeats: boolean;
  announce: (connection: SockJSConnection, resumed?: boolean) => void;
}

/** Connects one WebSocket to one SockJS session, fresh or resumed after hibernation. */
class SockJSWebSocketBinding implements WebSocketHandlers {
  readonly #ctx: WebSocketBindingContext;
  readonly #info: WebSocketInfo;
  #session: Session | null = null;
  #receiver: WebSocketReceiver | null = null;

  constructor(ctx: WebSocketBindingContext, info: WebSocketInfo) {
    this.#ctx = ctx;
    this.#info = info;
  }

  #bind(socket: ServerWebSocket): Session {
    this.#session = this.#ctx.sessions.createForWebSocket('websocket', {
      connectionId: this.#info.connectionId,
      manualHeartbeats: this.#ctx.manualHeartbeats,
      data: this.#info.data,
    });
    this.#receiver = new WebSocketReceiver(socket);
    return this.#session;
  }

  onOpen(socket: ServerWebSocket): void {
    this.#bind(socket).attach(this.#receiver!, this.#info.request);
  }

  resume(socket: ServerWebSocket): void {
    const session = this.#bind(socket);
    session.resume(this.#receiver!, this.#info.request);
    this.#ctx.announce(session.connection, true);
  }

  onMessage(data: string | ArrayBuffer | Uint8Array): void {
    const session = this.#session;
    if (session === null) return;
    const text = messageText(data);
    if (text.length > this.#ctx.options.maxMessageSize) {
      this.#fail(TOO_BIG);
      return;
    }
    // Empty messages carry nothing; the client never sends them, but they are not an error.
    if (text === '') return;
    const parsed = parseClientPayload(text, true);
    if (parsed.ok) session.deliver(parsed.messages);
    else this.#fail(BROKEN_FRAMING);
  }

  onClose(code: number, reason: string, wasClean: boolean): void {
    if (this.#session !== null) this.#session.receiverLost(this.#receiver!, { code, reason, wasClean });
  }

  #fail(close: CloseInfo): void {
    this.#receiver!.closeSocket(close.code, close.reason);
    this.#session!.receiverLost(this.#receiver!, close);
  }
}

export async function websocket(ctx: EndpointContext): Promise<Response> {
  const invalid = rejectInvalidUpgrade(ctx);
  if (invalid !== null) return invalid;
  const admission = await admit(ctx, 'websocket');
  if (!admission.ok) return admission.response;
  const info: WebSocketInfo = {
    protocol: 'websocket',
    prefix: ctx.options.prefix,
    connectionId: newConnectionId(),
    request: requestInfo(ctx.request, ctx.remoteAddress),
    data: admission.data,
  };
  const binding = new SockJSWebSocketBinding(
    // Only what the session needs: the upgrade request must not live as long as the socket.
    {
      sessions: ctx.sessions,
      options: ctx.options,
      announce: ctx.announce,
      manualHeartbeats: ctx.runtime.manualHeartbeats === true,
    },
    info,
  );
  return await ctx.runtime.upgradeWebSocket!(ctx.request, binding, info);
}

/** Rebuilds the handlers of a hibernated SockJS WebSocket and announces it as resumed. */
export function resumeWebSocket(
  ctx: WebSocketBindingContext,
  info: WebSocketInfo,
  socket: ServerWebSocket,
): WebSocketHandlers {
  const binding = new SockJSWebSocketBinding(ctx, info);
  binding.resume(socket);
  return binding;
}
