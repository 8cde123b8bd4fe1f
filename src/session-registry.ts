/**
 * The sessions of one server, by SockJS session id. Only HTTP receivers create registered
 * sessions; WebSocket sessions are private to their socket (ids may be reused, PROTOCOL.md 1.7).
 */
import type { ConnectionObserver, SockJSConnection } from './connection.ts';
import type { CloseInfo } from './events.ts';
import { Session, type SessionOptions, sessionTimers } from './session.ts';

/**
 * Where a runtime keeps a durable record of sessions, so that after a restart (a new Durable
 * Object instance) a client polling a lost session is told so with a close frame instead of
 * silently getting a new session.
 */
export interface SessionStore {
  created(sessionId: string): void;
  destroyed(sessionId: string): void;
  /** The close a lost session (known to the store, not in memory) answers with, or null. */
  lost(sessionId: string): CloseInfo | null;
}

export interface RegistryOptions {
  prefix: string;
  heartbeatDelay: number;
  disconnectDelay: number;
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  onOpen: (connection: SockJSConnection) => void;
  observer: ConnectionObserver;
}

export interface WebSocketSessionOptions {
  connectionId?: string;
  /** Heartbeats are sent by the runtime (Durable Object alarms) instead of session timers. */
  manualHeartbeats?: boolean;
  /** Initial `connection.data` (from `authorize`). */
  data?: unknown;
}

export class SessionRegistry {
  readonly #sessions = new Map<string, Session>();
  /** Shared by every session of a kind: sessions keep a reference, never a copy. */
  readonly #httpOptions: SessionOptions;
  readonly #webSocketOptions: SessionOptions;
  readonly #manualHeartbeatOptions: SessionOptions;
  store: SessionStore | null = null;

  constructor(options: RegistryOptions) {
    const timers = sessionTimers(options);
    this.#httpOptions = {
      ...options,
      timers,
      onDestroy: (destroyed) => {
        const id = destroyed.key!;
        if (this.#sessions.get(id) !== destroyed) return;
        this.#sessions.delete(id);
        this.store?.destroyed(id);
      },
    };
    this.#webSocketOptions = { ...options, timers, ephemeral: true };
    this.#manualHeartbeatOptions = { ...this.#webSocketOptions, heartbeatDelay: 0 };
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** The close a session lost in a restart answers with, when the store knows of one. */
  lost(id: string): CloseInfo | null {
    // The store first: without one (the usual case), no second lookup of the id per request.
    return this.store === null || this.#sessions.has(id) ? null : this.store.lost(id);
  }

  /** The session for `id`, created (CONNECTING, with `connection.data = data`) if there is none. */
  getOrCreate(id: string, protocol: string, data?: unknown): Session {
    let session = this.#sessions.get(id);
    if (session === undefined) {
      session = new Session(protocol, this.#httpOptions, undefined, id);
      session.connection.data = data;
      this.#sessions.set(id, session);
      this.store?.created(id);
    }
    return session;
  }

  /** A session that lives only as long as its WebSocket, outside the registry. */
  createForWebSocket(protocol: string, options: WebSocketSessionOptions = {}): Session {
    const session = new Session(
      protocol,
      options.manualHeartbeats ? this.#manualHeartbeatOptions : this.#webSocketOptions,
      options.connectionId,
    );
    session.connection.data = options.data;
    return session;
  }

  /** Registered (HTTP transport) sessions alive right now, including closed ones still answering. */
  get size(): number {
    return this.#sessions.size;
  }
}
