/**
 * Event classes of the public API. `CloseEvent` is not global on every runtime (Node 20 lacks
 * it), so the server defines its own with the same fields.
 */
import type { SockJSConnection } from './connection.ts';

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

/** Dispatched by the server for every new connection, once its open frame is on the wire. */
export class SockJSConnectionEvent extends Event {
  readonly connection: SockJSConnection;

  constructor(connection: SockJSConnection) {
    super('connection');
    this.connection = connection;
  }
}
