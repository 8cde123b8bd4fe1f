/**
 * `P/websocket`: a plain WebSocket without SockJS framing, for non-browser clients
 * (PROTOCOL.md 1.8). Text in, text out; no open frame, no heartbeats.
 */
import {
  type ConnectionBackend,
  type ConnectionObserver,
  connectionHooks,
  newConnectionId,
  requestInfo,
  type SockJSConnection,
} from '../connection.ts';
import type { ResolvedOptions } from '../options.ts';
import { ReadyState } from '../ready-state.ts';
import type { ServerWebSocket, WebSocketHandlers, WebSocketInfo } from '../runtime.ts';
import { admit } from './admission.ts';
import type { EndpointContext } from './context.ts';
import { messageText, rejectInvalidUpgrade } from './websocket-upgrade.ts';

export interface RawWebSocketContext {
  options: ResolvedOptions;
  observer: ConnectionObserver;
  announce: (connection: SockJSConnection, resumed?: boolean) => void;
}

class RawWebSocketBinding implements ConnectionBackend, WebSocketHandlers {
  readyState: ReadyState = ReadyState.CONNECTING;
  readonly #ctx: RawWebSocketContext;
  readonly #info: WebSocketInfo;
  #socket: ServerWebSocket | null = null;
  #connection: SockJSConnection | null = null;

  constructor(ctx: RawWebSocketContext, info: WebSocketInfo) {
    this.#ctx = ctx;
    this.#info = info;
  }

  send(message: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.#socket!.send(message);
    return true;
  }

  close(code: number, reason: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.readyState = ReadyState.CLOSING;
    this.#socket!.close(code, reason);
    return true;
  }

  onOpen(socket: ServerWebSocket, resumed = false): void {
    this.#socket = socket;
    this.#connection = connectionHooks.create(this, {
      protocol: 'websocket-raw',
      prefix: this.#info.prefix,
      id: this.#info.connectionId,
      observer: this.#ctx.observer,
    });
    this.#connection.data = this.#info.data;
    connectionHooks.update(this.#connection, this.#info.request);
    this.readyState = ReadyState.OPEN;
    this.#ctx.announce(this.#connection, resumed);
  }

  onMessage(data: string | ArrayBuffer | Uint8Array): void {
    if (this.#connection === null || this.readyState !== ReadyState.OPEN) return;
    const text = messageText(data);
    if (text.length > this.#ctx.options.maxMessageSize) {
      this.close(1009, 'Message too big');
      return;
    }
    connectionHooks.message(this.#connection, text);
  }

  onClose(code: number, reason: string, wasClean: boolean): void {
    if (this.#connection === null) return;
    this.readyState = ReadyState.CLOSED;
    connectionHooks.closed(this.#connection, { code, reason, wasClean });
  }
}

export async function rawWebSocket(ctx: EndpointContext): Promise<Response> {
  const invalid = rejectInvalidUpgrade(ctx);
  if (invalid !== null) return invalid;
  const admission = await admit(ctx, 'websocket-raw');
  if (!admission.ok) return admission.response;
  const info: WebSocketInfo = {
    protocol: 'websocket-raw',
    prefix: ctx.options.prefix,
    connectionId: newConnectionId(),
    request: requestInfo(ctx.request, ctx.remoteAddress),
    data: admission.data,
  };
  return await ctx.runtime.upgradeWebSocket!(ctx.request, new RawWebSocketBinding(ctx, info), info);
}

/** Rebuilds the handlers of a hibernated raw WebSocket and announces it as resumed. */
export function resumeRawWebSocket(
  ctx: RawWebSocketContext,
  info: WebSocketInfo,
  socket: ServerWebSocket,
): WebSocketHandlers {
  const binding = new RawWebSocketBinding(ctx, info);
  binding.onOpen(socket, true);
  return binding;
}
