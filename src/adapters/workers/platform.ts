/**
 * The parts of the Workers runtime this adapter uses, typed structurally so the package
 * type-checks with the standard DOM library (no `@cloudflare/workers-types` globals needed).
 */

/** The runtime's `WebSocket` with the Durable Object extensions. */
export interface WorkersWebSocket {
  /** `WebSocket.readyState`: 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
}

export interface SqlCursor {
  toArray(): Record<string, unknown>[];
}

export interface DurableObjectId {
  toString(): string;
  /** The name given to `idFromName`, where the runtime provides it. */
  readonly name?: string;
}

export interface DurableObjectState {
  readonly id: DurableObjectId;
  acceptWebSocket(socket: WorkersWebSocket, tags?: string[]): void;
  getWebSockets(tag?: string): WorkersWebSocket[];
  storage: {
    sql: { exec(query: string, ...bindings: unknown[]): SqlCursor };
    getAlarm(): Promise<number | null>;
    setAlarm(scheduledTime: number): Promise<void>;
    /** Drops every table and the alarm (compatibility date 2026-02-24 or later). */
    deleteAll(): Promise<void>;
  };
  waitUntil(promise: Promise<unknown>): void;
}

export interface DurableObjectStub {
  fetch(request: Request): Promise<Response>;
}

export interface DurableObjectNamespace {
  idFromName(name: string): unknown;
  idFromString(id: string): unknown;
  get(id: unknown): DurableObjectStub;
}

export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** `new WebSocketPair()`: index 0 goes to the client, 1 stays in the object. */
export type WebSocketPairConstructor = new () => { 0: WorkersWebSocket; 1: WorkersWebSocket };

/** A Response that hands the client end of a WebSocket pair to the runtime. */
export type UpgradeResponseInit = ResponseInit & { webSocket: WorkersWebSocket };

export function webSocketPair(): [client: WorkersWebSocket, server: WorkersWebSocket] {
  const Pair = (globalThis as unknown as { WebSocketPair: WebSocketPairConstructor }).WebSocketPair;
  const pair = new Pair();
  return [pair[0], pair[1]];
}
