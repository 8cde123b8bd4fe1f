/**
 * sockjs-node compatibility: the `createServer` / `on('connection')` / `conn.write` /
 * `conn.on('data')` / `conn.end()` API, over the same core. Meant for moving an existing
 * sockjs-node application with few changes; new code should use `SockJSServer` directly.
 *
 *   import sockjs from 'sockjs-fetch/compat';
 *   const echo = sockjs.createServer({ sockjs_url: '...' });
 *   echo.on('connection', (conn) => conn.on('data', (message) => conn.write(message)));
 *   echo.installHandlers(httpServer, { prefix: '/echo' });
 */
import type { Server } from 'node:http';
import { attach } from './adapters/node.ts';
import type { SockJSConnection } from './connection.ts';
import type { SockJSCloseEvent } from './events.ts';
import type { ServerOptionsInput } from './options.ts';
import type { RuntimeContext } from './runtime.ts';
import { SockJSServer } from './server.ts';

type Listener = (...args: never[]) => void;

/** A minimal EventEmitter (on / once / off / emit), the part sockjs-node apps use. */
class Emitter {
  readonly #listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return this;
  }

  addListener(event: string, listener: Listener): this {
    return this.on(event, listener);
  }

  once(event: string, listener: Listener): this {
    const wrapper = ((...args: never[]) => {
      this.off(event, wrapper);
      listener(...args);
    }) as Listener;
    return this.on(event, wrapper);
  }

  off(event: string, listener: Listener): this {
    this.#listeners.set(
      event,
      (this.#listeners.get(event) ?? []).filter((l) => l !== listener),
    );
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    return this.off(event, listener);
  }

  emit(event: string, ...args: unknown[]): boolean {
    const listeners = this.#listeners.get(event);
    if (!listeners || listeners.length === 0) return false;
    for (const listener of [...listeners]) (listener as (...a: unknown[]) => void)(...args);
    return true;
  }
}

// Typed listeners for the events sockjs-node documents (a plain JavaScript app gets them too).
export interface CompatConnection {
  on(event: 'data', listener: (message: string) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'close', listener: (event: SockJSCloseEvent) => void): this;
  on(event: string, listener: Listener): this;
  once(event: 'data', listener: (message: string) => void): this;
  once(event: 'end', listener: () => void): this;
  once(event: 'close', listener: (event: SockJSCloseEvent) => void): this;
  once(event: string, listener: Listener): this;
}

/** sockjs-node's `conn`: events `data`, `end`, `close`; methods `write`, `end`, `close`. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export class CompatConnection extends Emitter {
  readonly #connection: SockJSConnection;

  constructor(connection: SockJSConnection) {
    super();
    this.#connection = connection;
    connection.addEventListener('message', (event) => this.emit('data', event.data));
    connection.addEventListener('close', (event) => {
      this.emit('end');
      this.emit('close', event);
    });
  }

  /** The underlying WebSocket-style connection. */
  get connection(): SockJSConnection {
    return this.#connection;
  }
  get id(): string {
    return this.#connection.id;
  }
  get readyState(): number {
    return this.#connection.readyState;
  }
  get protocol(): string {
    return this.#connection.protocol;
  }
  get prefix(): string {
    return this.#connection.prefix;
  }
  get url(): string {
    return this.#connection.url;
  }
  get pathname(): string {
    return this.#connection.pathname;
  }
  get headers(): Record<string, string> {
    return this.#connection.headers;
  }
  get remoteAddress(): string | undefined {
    return this.#connection.remoteAddress;
  }

  write(data: unknown): boolean {
    return this.#connection.send(String(data));
  }

  end(): boolean {
    return this.#connection.close();
  }

  close(code?: number, reason?: string): boolean {
    return this.#connection.close(code, reason);
  }

  override toString(): string {
    return this.#connection.toString();
  }
}

export interface CompatServer {
  on(event: 'connection', listener: (conn: CompatConnection) => void): this;
  on(event: string, listener: Listener): this;
  once(event: 'connection', listener: (conn: CompatConnection) => void): this;
  once(event: string, listener: Listener): this;
}

/** sockjs-node's server object. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export class CompatServer extends Emitter {
  readonly #options: ServerOptionsInput;
  #default: SockJSServer | null = null;

  constructor(options: ServerOptionsInput = {}) {
    super();
    this.#options = options;
  }

  #create(overrides: ServerOptionsInput): SockJSServer {
    const server = new SockJSServer({ ...this.#options, ...overrides });
    server.addEventListener('connection', (event) =>
      this.emit('connection', new CompatConnection(event.connection)),
    );
    return server;
  }

  /** sockjs-node 0.3: serve on an http.Server at a prefix (may be called for several prefixes). */
  installHandlers(httpServer: Server, options: ServerOptionsInput = {}): SockJSServer {
    const server = this.#create(options);
    attach(httpServer, server);
    return server;
  }

  /** sockjs-node 0.4: serve on an http.Server at the prefix given to `createServer`. */
  attach(httpServer: Server): SockJSServer {
    return this.installHandlers(httpServer);
  }

  /** The same service as a Fetch handler, for runtimes other than node:http. */
  handle(request: Request, runtime?: RuntimeContext): Promise<Response | undefined> {
    this.#default ??= this.#create({});
    return this.#default.handle(request, runtime);
  }
}

export function createServer(options?: ServerOptionsInput): CompatServer {
  return new CompatServer(options);
}

export default { createServer };
