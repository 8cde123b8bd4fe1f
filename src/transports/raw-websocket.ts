/**
 * `P/websocket`: a plain WebSocket without SockJS framing, for non-browser clients
 * (PROTOCOL.md 1.8). Text in, text out; no open frame, no heartbeats.
 */
import {
  type ConnectionBackend,
  connectionHooks,
  requestInfo,
  type SockJSConnection,
} from '../connection.ts';
import { ReadyState } from '../ready-state.ts';
import type { ServerWebSocket } from '../runtime.ts';
import type { EndpointContext } from './context.ts';
import { messageText, rejectInvalidUpgrade } from './websocket-upgrade.ts';

class RawWebSocketBackend implements ConnectionBackend {
  readyState: ReadyState = ReadyState.CONNECTING;
  readonly connection: SockJSConnection;
  readonly #socket: ServerWebSocket;

  constructor(socket: ServerWebSocket, prefix: string) {
    this.#socket = socket;
    this.connection = connectionHooks.create(this, 'websocket-raw', prefix);
  }

  send(message: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.#socket.send(message);
    return true;
  }

  close(code: number, reason: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.readyState = ReadyState.CLOSING;
    this.#socket.close(code, reason);
    return true;
  }
}

export function rawWebSocket(ctx: EndpointContext): Response | Promise<Response> {
  const invalid = rejectInvalidUpgrade(ctx);
  if (invalid !== null) return invalid;
  const info = requestInfo(ctx.request, ctx.runtime.remoteAddress);
  let backend: RawWebSocketBackend | null = null;

  return ctx.runtime.upgradeWebSocket!(ctx.request, {
    onOpen(socket) {
      backend = new RawWebSocketBackend(socket, ctx.options.prefix);
      connectionHooks.update(backend.connection, info);
      backend.readyState = ReadyState.OPEN;
      ctx.announce(backend.connection);
    },
    onMessage(data) {
      if (backend === null) return;
      const text = messageText(data);
      if (text.length > ctx.options.maxMessageSize) {
        backend.close(1009, 'Message too big');
        return;
      }
      if (backend.readyState === ReadyState.OPEN) connectionHooks.message(backend.connection, text);
    },
    onClose(code, reason, wasClean) {
      if (backend === null) return;
      backend.readyState = ReadyState.CLOSED;
      connectionHooks.closed(backend.connection, { code, reason, wasClean });
    },
  });
}
