/**
 * Event classes of the public API. `CloseEvent` is not global on every runtime (Node 20 lacks
 * it), so the server defines its own with the same fields.
 */
import type { SockJSConnection } from './connection.ts';

/**
 * What `addEventListener` takes, spelled out. The DOM lib's names for these
 * (`AddEventListenerOptions`, `EventListenerOrEventListenerObject`, a generic `MessageEvent`) are
 * missing or different under `@types/node` alone and under Workers types, and the published
 * declarations must compile under each of them.
 */
export interface ListenerOptions {
  capture?: boolean;
}

export interface AddListenerOptions extends ListenerOptions {
  once?: boolean;
  passive?: boolean;
  signal?: AbortSignal;
}

export type Listener = ((event: Event) => void) | { handleEvent(event: Event): void };

/** A connection's `message` event (a `MessageEvent` at run time). */
export interface ConnectionMessageEvent extends Event {
  readonly data: string;
}

export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

export class SockJSCloseEvent extends Event implements CloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  constructor(info: CloseInfo) {
    super('close');
    this.code = info.code;
    this.reason = info.reason;
    this.wasClean = info.wasClean;
  }
}

/**
 * Dispatched by the server for every new connection, once its open frame is on the wire, and
 * again (`resumed: true`) for a WebSocket connection brought back into memory after its
 * Durable Object hibernated, so per-connection listeners can be added again.
 */
export class SockJSConnectionEvent extends Event {
  readonly connection: SockJSConnection;
  readonly resumed: boolean;

  constructor(connection: SockJSConnection, resumed = false) {
    super('connection');
    this.connection = connection;
    this.resumed = resumed;
  }
}

/** Server-level `message`: a message from any of the server's connections. */
export class SockJSMessageEvent extends Event {
  readonly connection: SockJSConnection;
  readonly data: string;

  constructor(connection: SockJSConnection, data: string) {
    super('message');
    this.connection = connection;
    this.data = data;
  }
}

/** Server-level `disconnect`: one of the server's connections closed (its `close` event). */
export class SockJSDisconnectEvent extends Event implements CloseInfo {
  readonly connection: SockJSConnection;
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  constructor(connection: SockJSConnection, info: CloseInfo) {
    super('disconnect');
    this.connection = connection;
    this.code = info.code;
    this.reason = info.reason;
    this.wasClean = info.wasClean;
  }
}
