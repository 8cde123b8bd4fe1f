/**
 * The sessions of one server, by SockJS session id. Only HTTP receivers create registered
 * sessions; WebSocket sessions are private to their socket (ids may be reused, PROTOCOL.md 1.7).
 */
import type { SockJSConnection } from './connection.ts';
import { Session } from './session.ts';

export interface RegistryOptions {
  prefix: string;
  heartbeatDelay: number;
  disconnectDelay: number;
  onOpen: (connection: SockJSConnection) => void;
}

export class SessionRegistry {
  readonly #sessions = new Map<string, Session>();
  readonly #options: RegistryOptions;

  constructor(options: RegistryOptions) {
    this.#options = options;
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** The session for `id`, created (CONNECTING) if there is none. */
  getOrCreate(id: string, protocol: string): Session {
    let session = this.#sessions.get(id);
    if (session === undefined) {
      session = new Session(protocol, {
        ...this.#options,
        onDestroy: (destroyed) => {
          if (this.#sessions.get(id) === destroyed) this.#sessions.delete(id);
        },
      });
      this.#sessions.set(id, session);
    }
    return session;
  }

  /** A session that lives only as long as its WebSocket, outside the registry. */
  createUnregistered(protocol: string): Session {
    return new Session(protocol, this.#options);
  }

  /** Registered (HTTP transport) sessions alive right now, including closed ones still answering. */
  get size(): number {
    return this.#sessions.size;
  }
}
