/**
 * The application's view of one SockJS connection, shaped like the HTML5 WebSocket API.
 * Every transport (SockJS sessions over HTTP or WebSocket, raw WebSocket) sits behind a
 * `ConnectionBackend`; the connection only validates, forwards and dispatches events.
 */
import {
  type AddListenerOptions,
  type CloseInfo,
  ConnectionMessage,
  type ConnectionMessageEvent,
  captureOf,
  type Listener,
  ListenerList,
  type ListenerOptions,
  SockJSCloseEvent,
} from './events.ts';
import type { SharedMessage } from './protocol/frames.ts';
import { ReadyState } from './ready-state.ts';
import { assertTopic, type TopicRegistry } from './topics.ts';

/** What a transport must provide to carry a connection. */
export interface ConnectionBackend {
  readonly readyState: ReadyState;
  /** Queues a message for the client; false when the connection is not open. */
  send(message: string): boolean;
  /** Queues a message published to many connections; `send(message.text)` when absent. */
  sendShared?(message: SharedMessage): boolean;
  /** Starts closing with a close frame; false when the connection is not open. */
  close(code: number, reason: string): boolean;
}

/** Request details copied onto the connection (the last receiving request's, for HTTP transports). */
export interface ConnectionRequestInfo {
  url: string;
  headers: Record<string, string>;
  remoteAddress: string | undefined;
}

/**
 * Headers exposed to the application. Cookies are left out on purpose (see README, Security):
 * the iframe transports make them usable for CSRF. Authorization should use a token.
 */
const EXPOSED_HEADERS = [
  'referer',
  'x-client-ip',
  'x-forwarded-for',
  'x-cluster-client-ip',
  'via',
  'x-real-ip',
  'x-forwarded-proto',
  'x-ssl',
  'dnt',
  'host',
  'user-agent',
  'accept-language',
  'origin',
] as const;

export function requestInfo(request: Request, remoteAddress: string | undefined): ConnectionRequestInfo {
  const headers: Record<string, string> = {};
  // Read once: on some hosts (`@hono/node-server`) `request.headers` is a getter of a proxy.
  const all = request.headers;
  for (const name of EXPOSED_HEADERS) {
    const value = all.get(name);
    if (value !== null) headers[name] = value;
  }
  return { url: flat(request.url), headers, remoteAddress };
}

/** A fresh connection id (see `flat`: a UUID is built by concatenation). */
export const newConnectionId = (): string => flat(crypto.randomUUID());

/**
 * The same string, stored flat. Engines build a concatenated string as a tree of its pieces
 * (V8 makes one of ~14 pieces for a UUID, ~430 bytes instead of ~60), and strings kept for a
 * session's life are worth flattening once; reading a character makes V8 do it.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

const MAX_CLOSE_REASON_BYTES = 123;
const utf8 = new TextEncoder();

/** Codes a server may put in a close frame: 1000–4999 minus those reserved for local use. */
function assertValidClose(code: number, reason: string): void {
  const reserved = code === 1004 || code === 1005 || code === 1006 || code === 1015;
  if (!Number.isInteger(code) || code < 1000 || code > 4999 || reserved) {
    throw new RangeError(`Invalid close code ${code}: use 1000, 1001–1003, 1007–1014 or 3000–4999`);
  }
  if (utf8.encode(reason).length > MAX_CLOSE_REASON_BYTES) {
    throw new RangeError(`Close reason is longer than ${MAX_CLOSE_REASON_BYTES} bytes of UTF-8`);
  }
}

/**
 * Who hears about every connection's messages and close: the server, for its server-level events.
 * Its topic registry is where the connection's subscriptions go.
 */
export interface ConnectionObserver {
  message(connection: SockJSConnection, data: string): void;
  closed(connection: SockJSConnection, info: CloseInfo): void;
  topics(): TopicRegistry;
}

export interface ConnectionIdentity {
  protocol: string;
  prefix: string;
  /** Kept across hibernation; a fresh UUID otherwise. */
  id?: string;
  observer?: ConnectionObserver;
}

/** Transport-side hooks: internal to the package (not exported from its entry point). */
export interface ConnectionHooks {
  create(backend: ConnectionBackend, identity: ConnectionIdentity): SockJSConnection;
  update(connection: SockJSConnection, info: ConnectionRequestInfo): void;
  message(connection: SockJSConnection, data: string): void;
  closed(connection: SockJSConnection, info: CloseInfo): void;
  /** Queues a published message; false when the connection is not open. */
  sendShared(connection: SockJSConnection, message: SharedMessage): boolean;
}

export interface SockJSConnectionEventMap {
  message: ConnectionMessageEvent;
  close: SockJSCloseEvent;
}

/** Assigned in the class's static block, which can reach its private fields. */
export let connectionHooks: ConnectionHooks;

/**
 * Shaped like an `EventTarget` (`addEventListener`, `removeEventListener`, `dispatchEvent`,
 * with its rules) without being one: see `ListenerList`.
 */
export class SockJSConnection {
  static readonly CONNECTING = ReadyState.CONNECTING;
  static readonly OPEN = ReadyState.OPEN;
  static readonly CLOSING = ReadyState.CLOSING;
  static readonly CLOSED = ReadyState.CLOSED;

  /** A random id for the application's bookkeeping; never the SockJS session id. */
  readonly id: string;
  /** Transport in use: `websocket`, `websocket-raw`, `xhr-streaming`, `xhr-polling`, ... */
  readonly protocol: string;
  /** The service prefix this connection came in on. */
  readonly prefix: string;
  /** Absolute URL of the (last) receiving request. */
  url = '';
  /** A safe subset of the request headers (no cookies), lowercase names. */
  headers: Record<string, string> = {};
  /** The client's address as the runtime reports it, when it does. */
  remoteAddress: string | undefined;
  /** Free slot for application data (user id, room, ...). */
  data: unknown;

  onmessage: ((event: ConnectionMessageEvent) => void) | null = null;
  onclose: ((event: SockJSCloseEvent) => void) | null = null;

  readonly #backend: ConnectionBackend;
  readonly #observer: ConnectionObserver | undefined;
  #closeEvent: SockJSCloseEvent | null = null;
  /** Made at the first `addEventListener`: most connections get none. */
  #listeners: ListenerList | null = null;
  /** Made at the first subscription (or read): most connections never subscribe. */
  #subscriptions: Set<string> | null = null;

  private constructor(backend: ConnectionBackend, identity: ConnectionIdentity) {
    this.#backend = backend;
    this.id = identity.id ?? newConnectionId();
    this.protocol = identity.protocol;
    this.prefix = identity.prefix;
    this.#observer = identity.observer;
  }

  // Typed listeners, as on the DOM's WebSocket.
  addEventListener<K extends keyof SockJSConnectionEventMap>(
    type: K,
    listener: (this: SockJSConnection, event: SockJSConnectionEventMap[K]) => void,
    options?: boolean | AddListenerOptions,
  ): void;
  addEventListener(type: string, listener: Listener | null, options?: boolean | AddListenerOptions): void;
  addEventListener(type: string, listener: Listener | null, options?: boolean | AddListenerOptions): void {
    this.#listeners ??= new ListenerList();
    this.#listeners.add(type, listener, options);
  }

  removeEventListener<K extends keyof SockJSConnectionEventMap>(
    type: K,
    listener: (this: SockJSConnection, event: SockJSConnectionEventMap[K]) => void,
    options?: boolean | ListenerOptions,
  ): void;
  removeEventListener(type: string, listener: Listener | null, options?: boolean | ListenerOptions): void;
  removeEventListener(type: string, listener: Listener | null, options?: boolean | ListenerOptions): void {
    this.#listeners?.remove(type, listener, captureOf(options));
  }

  /** Calls this connection's listeners for `event`; false if one called `preventDefault()`. */
  dispatchEvent(event: Event): boolean {
    return this.#listeners === null ? !event.defaultPrevented : this.#listeners.dispatch(this, event);
  }

  get readyState(): ReadyState {
    return this.#closeEvent === null ? this.#backend.readyState : ReadyState.CLOSED;
  }

  get pathname(): string {
    return this.url === '' ? '' : new URL(this.url).pathname;
  }

  /** Sends a text message. Returns false (and drops it) if the connection is not open. */
  send(data: string): boolean {
    // JavaScript callers may pass anything: coerce like sockjs-node, but refuse binary loudly.
    const value: unknown = data;
    if (typeof value === 'string') return this.#backend.send(value);
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      throw new TypeError('SockJS carries text only: encode binary data (for example as base64) first');
    }
    return this.#backend.send(String(value));
  }

  /** Closes with `c[code,reason]`. Returns false if the connection was not open. */
  close(code = 1000, reason = 'Normal closure'): boolean {
    assertValidClose(code, reason);
    return this.#backend.close(code, reason);
  }

  /** Topics this connection is subscribed to. */
  get subscriptions(): ReadonlySet<string> {
    this.#subscriptions ??= new Set();
    return this.#subscriptions;
  }

  /**
   * Subscribes to `topic`: every `server.publish(topic, ...)` from now on, from this process or
   * (through the server's broker) any other, is sent to this connection. Idempotent; does
   * nothing once the connection has closed (a closed connection is unsubscribed from everything).
   */
  subscribe(topic: string): void {
    assertTopic(topic);
    if (this.#closeEvent !== null || this.#subscriptions?.has(topic)) return;
    const registry = this.#registry();
    this.#subscriptions ??= new Set();
    const subscriptions = this.#subscriptions;
    subscriptions.add(topic);
    try {
      registry.onSubscriptionsChange?.(this);
    } catch (error) {
      // Refused (no room to keep it across hibernation): as if never subscribed.
      subscriptions.delete(topic);
      throw error;
    }
    registry.add(this, topic);
  }

  /** Stops receiving `topic`. Idempotent. */
  unsubscribe(topic: string): void {
    assertTopic(topic);
    if (this.#subscriptions === null || !this.#subscriptions.delete(topic)) return;
    const registry = this.#registry();
    registry.remove(this, topic);
    registry.onSubscriptionsChange?.(this);
  }

  isSubscribed(topic: string): boolean {
    return this.#subscriptions?.has(topic) === true;
  }

  #registry(): TopicRegistry {
    if (this.#observer === undefined)
      throw new Error('This connection belongs to no server: it has no topics');
    return this.#observer.topics();
  }

  toString(): string {
    return `SockJSConnection(${this.id}, ${this.protocol}, ${this.remoteAddress ?? 'unknown address'})`;
  }

  static {
    connectionHooks = {
      create: (backend, identity) => new SockJSConnection(backend, identity),
      update: (connection, info) => {
        connection.url = info.url;
        connection.headers = info.headers;
        connection.remoteAddress = info.remoteAddress;
      },
      message: (connection, data) => {
        if (connection.#closeEvent !== null) return;
        // An event only for someone to hear it.
        if (connection.onmessage !== null || connection.#listeners?.empty === false) {
          const event = new ConnectionMessage(connection, data);
          connection.onmessage?.(event);
          connection.#listeners?.dispatch(connection, event);
        }
        connection.#observer?.message(connection, data);
      },
      closed: (connection, info) => {
        if (connection.#closeEvent !== null) return;
        const event = new SockJSCloseEvent(info, connection);
        connection.#closeEvent = event;
        connection.onclose?.(event);
        connection.#listeners?.dispatch(connection, event);
        connection.#observer?.closed(connection, info);
        // After the listeners, which may still read `subscriptions` (to say who left).
        const subscriptions = connection.#subscriptions;
        if (subscriptions === null) return;
        for (const topic of subscriptions) connection.#observer?.topics().remove(connection, topic);
        subscriptions.clear();
      },
      sendShared: (connection, message) =>
        connection.#backend.sendShared?.(message) ?? connection.#backend.send(message.text),
    };
  }
}
