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

/** A connection's `message` event: a `MessageEvent` whose `target` is the connection. */
export class ConnectionMessage extends MessageEvent<string> {
  constructor(target: object, data: string) {
    super('message', { data });
    targetAt(this, target);
  }
}

export class SockJSCloseEvent extends Event implements CloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  /** `target`: the connection that closed. */
  constructor(info: CloseInfo, target?: object) {
    super('close');
    this.code = info.code;
    this.reason = info.reason;
    this.wasClean = info.wasClean;
    if (target !== undefined) targetAt(this, target);
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

/**
 * A connection is no `EventTarget` (see `ListenerList`), so its events carry their target
 * themselves, and note `stopImmediatePropagation()`, which an engine's dispatch would have seen.
 */
const TARGET = Symbol('target');
const STOPPED = Symbol('immediate propagation stopped');
type Targeted = Event & { [TARGET]?: object; [STOPPED]?: boolean };

function targetAt(event: Event, target: object): void {
  (event as Targeted)[TARGET] = target;
}

for (const prototype of [ConnectionMessage.prototype, SockJSCloseEvent.prototype]) {
  const target = {
    get(this: Targeted) {
      return this[TARGET] ?? null;
    },
    configurable: true,
  };
  Object.defineProperties(prototype, {
    target,
    currentTarget: target,
    srcElement: target,
    stopImmediatePropagation: {
      value(this: Targeted) {
        this[STOPPED] = true;
        Event.prototype.stopImmediatePropagation.call(this);
      },
      configurable: true,
      writable: true,
    },
  });
}

interface Registration {
  readonly type: string;
  readonly callback: Listener;
  readonly capture: boolean;
  readonly once: boolean;
  removed: boolean;
}

/**
 * `addEventListener`, `removeEventListener` and `dispatchEvent` with `EventTarget`'s rules
 * (duplicates ignored, `capture` part of a listener's identity, `once`, `signal`, listeners
 * removed during a dispatch not called and added ones not called for it, `this` the target,
 * a listener's exception reported as uncaught without stopping the others), for objects made
 * by the thousand that mostly never get a listener: a real `EventTarget` costs about 430 bytes
 * on Node (two `Map`s) from the start; this is an array made at the first listener.
 */
export class ListenerList {
  #registrations: Registration[] = [];

  get empty(): boolean {
    return this.#registrations.length === 0;
  }

  add(type: string, listener: Listener | null, options?: boolean | AddListenerOptions): void {
    if (listener === null || listener === undefined) return;
    const { capture, once, signal } = normalize(options);
    if (signal?.aborted) return;
    if (this.#find(type, listener, capture) !== undefined) return;
    this.#registrations.push({ type, callback: listener, capture, once, removed: false });
    signal?.addEventListener('abort', () => this.remove(type, listener, capture), { once: true });
  }

  remove(type: string, listener: Listener | null, capture: boolean): void {
    if (listener === null || listener === undefined) return;
    const registration = this.#find(type, listener, capture);
    if (registration === undefined) return;
    registration.removed = true;
    this.#registrations = this.#registrations.filter((other) => other !== registration);
  }

  /** Calls the listeners for `event.type` on `target`; false when one called `preventDefault()`. */
  dispatch(target: object, event: Event): boolean {
    for (const registration of this.#registrations.filter((entry) => entry.type === event.type)) {
      if (registration.removed) continue;
      if (registration.once) this.remove(registration.type, registration.callback, registration.capture);
      try {
        const callback = registration.callback;
        if (typeof callback === 'function') callback.call(target, event);
        else callback.handleEvent(event);
      } catch (error) {
        // As an EventTarget reports it: uncaught, but the other listeners still run.
        queueMicrotask(() => {
          throw error;
        });
      }
      if ((event as Targeted)[STOPPED] === true) break;
    }
    return !event.defaultPrevented;
  }

  #find(type: string, listener: Listener, capture: boolean): Registration | undefined {
    return this.#registrations.find(
      (entry) => entry.type === type && entry.callback === listener && entry.capture === capture,
    );
  }
}

/** `capture` of `removeEventListener`'s options. */
export function captureOf(options?: boolean | ListenerOptions): boolean {
  return typeof options === 'boolean' ? options : options?.capture === true;
}

function normalize(options?: boolean | AddListenerOptions): {
  capture: boolean;
  once: boolean;
  signal: AbortSignal | undefined;
} {
  if (typeof options === 'boolean' || options === undefined || options === null) {
    return { capture: options === true, once: false, signal: undefined };
  }
  return { capture: options.capture === true, once: options.once === true, signal: options.signal };
}
