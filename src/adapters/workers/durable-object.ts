/**
 * The Durable Object that holds SockJS sessions. It runs the same `SockJSServer` as every other
 * runtime, with the application's code attached by each service's `setup`, built in an object
 * when the first request or socket of that service reaches it (see `ServiceTable`).
 *
 * - HTTP transports (polling, streaming) are answered from memory; the session's timers keep
 *   the object awake while a session exists, and its SQLite store lets a restarted object tell
 *   clients of lost sessions so.
 * - WebSockets use the Hibernation API: the runtime holds the sockets, the object may leave
 *   memory between messages, and a socket's attachment carries what is needed to resume its
 *   connection: the first event of a new instance resumes every open socket the runtime holds
 *   (`ctx.getWebSockets()`). Heartbeats come from the object's alarm instead of timers.
 *
 * It extends workerd's `DurableObject` (`cloudflare:workers`, left as an import in the build for
 * wrangler to resolve), so it is a real Durable Object class: RPC-capable, and accepted by the
 * `DurableObjectNamespace<…>` that `wrangler types` generates for its binding.
 */

import { DurableObject } from 'cloudflare:workers';

import { notFound, requestUrl } from '../../http.ts';
import { type Logger, resolveOptions } from '../../options.ts';
import { HEARTBEAT_FRAME } from '../../protocol/frames.ts';
import { pathUnderPrefix } from '../../protocol/routes.ts';
import type { RuntimeContext, ServerWebSocket, WebSocketHandlers, WebSocketInfo } from '../../runtime.ts';
import { adapterHooks, SockJSServer } from '../../server.ts';
import { trustedAuthorize } from './admission.ts';
import {
  type DurableObjectState,
  type UpgradeResponseInit,
  type WorkersWebSocket,
  webSocketPair,
} from './platform.ts';
import { DEFAULT_WEBSOCKET_BYTES_PER_SECOND, SendBudget } from './send-budget.ts';
import type { ServiceList, WorkersServiceDefinition } from './service.ts';
import { SessionTable, SqliteSessionStore } from './session-store.ts';
import { DurableObjectTopics, isTopicObject, isTopicRequest } from './topics.ts';

/** Tag of hibernatable sockets that carry SockJS framing (and so get `h` heartbeats). */
const FRAMED_TAG = 'sockjs';
const RAW_TAG = 'sockjs-raw';

/** Close codes a WebSocket close frame must not carry; the runtime rejects them. */
const RESERVED_CLOSE_CODES = new Set([1005, 1006, 1015]);

/** `WebSocket.OPEN`: a socket neither side has started to close. */
const OPEN = 1;

interface Attachment {
  sockjs: 1;
  info: WebSocketInfo;
  /** The server closed the socket (its close handshake may outlast the object's memory). */
  closedByServer?: true;
  /** The connection's topic subscriptions (topics.ts), restored when it is resumed. */
  topics?: string[];
}

/**
 * `ws.send`/`ws.close` for the core, tolerant of a socket that is already going away.
 * Note: local workerd sends a server-initiated close frame at once but keeps the TCP
 * connection of a hibernatable socket until the object is evicted; clients that wait for the
 * TCP end see it late (sockjs-client acts on the `c[...]` frame that precedes it).
 */
function socketApi(ws: WorkersWebSocket, budget?: SendBudget): ServerWebSocket {
  return {
    bufferedAmount: budget && (() => budget.buffered),
    send: (data) => {
      budget?.spend(data.length);
      try {
        ws.send(data);
      } catch {
        // The socket is already closing; its close event ends the session.
      }
    },
    close: (code, reason) => {
      markClosedByServer(ws);
      try {
        ws.close(code, reason);
      } catch {
        // Already closed.
      }
    },
  };
}

/** Records in the attachment that the server closed the socket (see `#handlersFor`). */
function markClosedByServer(ws: WorkersWebSocket): void {
  try {
    const attachment = ws.deserializeAttachment() as Attachment | null;
    if (attachment?.sockjs === 1) ws.serializeAttachment({ ...attachment, closedByServer: true });
  } catch {
    // Closed already, or the attachment is at its size limit: the close itself matters more.
  }
}

/** What routing and the heartbeat alarm need to know of a service, without building its server. */
interface ServiceEntry<Env> {
  definition: WorkersServiceDefinition<Env>;
  prefix: string;
}

/**
 * The services of an object class, resolved once per isolate (every object of the class shares
 * it): an object builds a service's server, and runs its `setup`, only when a request or a
 * socket of that service reaches it. Most objects hold one session of one service; building
 * every service in each (the demo has eleven) cost about 100 KB and 1 ms per object.
 */
class ServiceTable<Env> {
  /** Longest prefix first, so `/echo/deep` wins over `/echo` for its own paths (as `combineServices`). */
  readonly #ordered: ServiceEntry<Env>[];
  readonly #byPrefix = new Map<string, ServiceEntry<Env>>();
  /** The shortest heartbeat delay of the services: the alarm's period. */
  readonly heartbeatDelay: number;
  /** The first service's logger, for what happens outside any one service (topics). */
  readonly log: Logger;

  constructor(definitions: readonly WorkersServiceDefinition<Env>[]) {
    const resolved = definitions.map((definition) => ({
      definition,
      options: resolveOptions(definition.options),
    }));
    for (const { definition, options } of resolved) {
      // Two services with one prefix: the first defined answers (as in `combineServices`).
      if (!this.#byPrefix.has(options.prefix)) {
        this.#byPrefix.set(options.prefix, { definition, prefix: options.prefix });
      }
    }
    this.#ordered = [...this.#byPrefix.values()].sort((a, b) => b.prefix.length - a.prefix.length);
    this.heartbeatDelay = Math.min(...resolved.map(({ options }) => options.heartbeatDelay));
    this.log = resolved[0]?.options.log ?? ((_severity, message) => console.error(message));
  }

  /** The service whose prefix covers `pathname` (as `SockJSServer.owns`). */
  owner(pathname: string): ServiceEntry<Env> | undefined {
    return this.#ordered.find(({ prefix }) => pathUnderPrefix(prefix, pathname) !== null);
  }

  byPrefix(prefix: string): ServiceEntry<Env> | undefined {
    return this.#byPrefix.get(prefix);
  }

  static #tables = new WeakMap<readonly WorkersServiceDefinition<never>[], ServiceTable<never>>();

  static for<Env>(definitions: readonly WorkersServiceDefinition<Env>[]): ServiceTable<Env> {
    const key = definitions as readonly WorkersServiceDefinition<never>[];
    let table = ServiceTable.#tables.get(key) as ServiceTable<Env> | undefined;
    if (table === undefined) {
      table = new ServiceTable(definitions);
      ServiceTable.#tables.set(key, table as unknown as ServiceTable<never>);
    }
    return table;
  }
}

export interface SockJSDurableObjectOptions {
  /**
   * The binding of this class in `env` (wrangler.toml), through which objects reach each other
   * for topics (`server.publish` / `connection.subscribe` across objects). Default `SOCKJS`.
   */
  binding?: string;
}

export interface SockJSDurableObjectClass<Env> {
  new (ctx: DurableObjectState, env: Env): SockJSDurableObject<Env>;
}

export class SockJSDurableObject<Env = unknown> extends DurableObject<Env> {
  /**
   * `this.#ctx` (DurableObject's, protected as on every Durable Object) in the structural type this
   * adapter is written against, whatever declares `cloudflare:workers` (or nothing: Deno's check).
   */
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  readonly #services: ServiceTable<Env>;
  /** The servers of the services this instance has been asked for, by prefix (see `ServiceTable`). */
  readonly #servers = new Map<string, SockJSServer>();
  readonly #handlers = new Map<WorkersWebSocket, WebSocketHandlers>();
  readonly #runtime: RuntimeContext;
  readonly #table: SessionTable;
  /** Whether this instance has taken over the object's sockets (see `#wake`). */
  #awake = false;
  /** Whether this instance has read what a previous one left in storage (see `#readStorage`). */
  #storageRead = false;
  /** Topics across objects: the broker of every server here, and the topic objects' side. */
  readonly #topics: DurableObjectTopics;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    services: readonly WorkersServiceDefinition<Env>[],
    options: SockJSDurableObjectOptions = {},
  ) {
    super(ctx, env);
    this.#ctx = ctx;
    this.#env = env;
    this.#services = ServiceTable.for(services);
    this.#topics = new DurableObjectTopics(ctx, env, options.binding ?? 'SOCKJS', () => this.#services.log);
    // Sessions a previous instance left are lost: forgotten in time (the alarm), or at once.
    this.#table = new SessionTable(ctx.storage, () => ctx.waitUntil(this.#sweepLostSessions()));
    this.#runtime = {
      manualHeartbeats: true,
      abortNoticedOnWrite: true,
      upgradeWebSocket: (_request, handlers, info) => this.#accept(handlers, info),
      waitUntil: (promise) => ctx.waitUntil(promise),
    };
  }

  async fetch(request: Request): Promise<Response> {
    this.#wake();
    if (!isWebSocketUpgrade(request)) this.#readStorage();
    const url = requestUrl(request);
    if (url === null) return notFound();
    if (isTopicRequest(url)) return this.#topics.handle(request);
    const service = this.#services.owner(url.pathname);
    if (service === undefined) return notFound();
    const server = this.#server(service);
    const runtime = { ...this.#runtime, remoteAddress: request.headers.get('CF-Connecting-IP') ?? undefined };
    return server.fetch(request, runtime);
  }

  async webSocketMessage(ws: WorkersWebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#wake();
    this.#handlersFor(ws)?.onMessage(message);
  }

  async webSocketClose(ws: WorkersWebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
    this.#wake();
    this.#readStorage();
    this.#handlersFor(ws)?.onClose(code, reason, wasClean);
    this.#handlers.delete(ws);
    // Complete the closing handshake; reserved codes cannot be sent back.
    socketApi(ws).close(RESERVED_CLOSE_CODES.has(code) ? 1000 : code, reason);
    this.#releaseIfIdle(ws);
  }

  async webSocketError(ws: WorkersWebSocket): Promise<void> {
    this.#wake();
    this.#readStorage();
    this.#handlersFor(ws)?.onClose(1006, 'WebSocket error', false);
    this.#handlers.delete(ws);
    this.#releaseIfIdle(ws);
  }

  /** Heartbeats for every SockJS-framed socket, then the next alarm while any remain. */
  async alarm(): Promise<void> {
    this.#wake();
    this.#readStorage();
    const sockets = this.#ctx.getWebSockets(FRAMED_TAG);
    for (const ws of sockets) socketApi(ws).send(HEARTBEAT_FRAME);
    if (sockets.length > 0) await this.#ctx.storage.setAlarm(Date.now() + this.#services.heartbeatDelay);
    await this.#sweepLostSessions();
  }

  /**
   * Empties storage once the object holds nothing (no session row, no open WebSocket other than
   * `closing`), so an object whose sessions have ended leaves nothing behind.
   */
  #releaseIfIdle(closing?: WorkersWebSocket): void {
    // A topic object's storage is its subscriber list, which the topic side empties itself.
    if (isTopicObject(this.#ctx)) return;
    if (!this.#table.isEmpty()) return;
    const open = this.#ctx.getWebSockets().some((ws) => ws !== closing && ws.readyState !== 3);
    if (!open) this.#ctx.waitUntil(this.#table.release());
  }

  /** Forgets lost sessions past their retention; the alarm comes back for the next one. */
  async #sweepLostSessions(): Promise<void> {
    this.#table.sweep();
    const expiry = this.#table.nextExpiry();
    if (expiry === null) {
      this.#releaseIfIdle();
      return;
    }
    const alarm = await this.#ctx.storage.getAlarm();
    if (alarm === null || alarm > expiry) await this.#ctx.storage.setAlarm(expiry);
  }

  #accept(handlers: WebSocketHandlers, info: WebSocketInfo): Response {
    const [client, server] = webSocketPair();
    this.#ctx.acceptWebSocket(server, [info.protocol === 'websocket' ? FRAMED_TAG : RAW_TAG]);
    server.serializeAttachment({ sockjs: 1, info } satisfies Attachment);
    this.#handlers.set(server, handlers);
    this.#topics.socket(info.connectionId, server);
    handlers.onOpen(this.#socketApi(server, info.prefix));
    if (info.protocol === 'websocket') this.#ctx.waitUntil(this.#scheduleHeartbeat());
    return new Response(null, { status: 101, webSocket: client } as UpgradeResponseInit);
  }

  async #scheduleHeartbeat(): Promise<void> {
    const due = Date.now() + this.#services.heartbeatDelay;
    const alarm = await this.#ctx.storage.getAlarm();
    if (alarm === null || alarm > due) await this.#ctx.storage.setAlarm(due);
  }

  /** The core's view of a socket, with the send budget that stands in for `bufferedAmount`. */
  #socketApi(ws: WorkersWebSocket, prefix: string): ServerWebSocket {
    const rate =
      this.#services.byPrefix(prefix)?.definition.webSocketBytesPerSecond ??
      DEFAULT_WEBSOCKET_BYTES_PER_SECOND;
    return socketApi(ws, new SendBudget(rate));
  }

  /**
   * The first event of an instance: if the object hibernated, the runtime still holds its
   * sockets, and every open one gets its connection back now (announced once, as resumed), so
   * `server.connections` and everything built on it hold them all, not only those that speak.
   * A socket already closing is rebuilt by its own close event, if at all (`#handlersFor`).
   */
  #wake(): void {
    if (this.#awake) return;
    this.#awake = true;
    for (const ws of this.#ctx.getWebSockets()) {
      if (ws.readyState === OPEN) this.#handlersFor(ws);
    }
  }

  /**
   * What a previous instance left in storage, read at the first event that is not a WebSocket
   * handshake or message: sessions lost with it (`SessionTable.load`, which also runs whenever
   * the table is first used) and topics only its lost sessions held (left now). An object that
   * only accepts a socket touches no SQLite: its first statement is the object's dearest (about
   * half a millisecond on local workerd, where the database is set up then). An object with
   * leftovers that only ever gets handshakes and messages reads them at its first alarm or
   * close; a client of a lost session is told so whenever it comes back.
   */
  #readStorage(): void {
    if (this.#storageRead) return;
    this.#storageRead = true;
    this.#table.load();
    this.#topics.woken();
  }

  /** The service's server in this instance, built (and set up by the application) on first use. */
  #server({ definition, prefix }: ServiceEntry<Env>): SockJSServer {
    let server = this.#servers.get(prefix);
    if (server !== undefined) return server;
    // `authorize` already ran in the Worker; its verdict comes with the request.
    const own = definition.options.authorize;
    const broker = definition.options.broker ?? this.#topics.broker;
    server = new SockJSServer(
      own
        ? { ...definition.options, broker, authorize: trustedAuthorize(own) }
        : { ...definition.options, broker },
    );
    adapterHooks.setSessionStore(
      server,
      new SqliteSessionStore(this.#table, prefix, () => this.#releaseIfIdle()),
    );
    this.#topics.attachServer(server);
    definition.setup(server, this.#env);
    this.#servers.set(prefix, server);
    return server;
  }

  /** The socket's handlers; after hibernation they are rebuilt from its attachment. */
  #handlersFor(ws: WorkersWebSocket): WebSocketHandlers | undefined {
    let handlers = this.#handlers.get(ws);
    if (handlers !== undefined) return handlers;
    const attachment = ws.deserializeAttachment() as Attachment | null;
    if (attachment?.sockjs !== 1) return undefined;
    // A SockJS session ends, and is reported, when the server closes its socket: nothing to
    // resume. A raw connection reports its close when the client's close arrives.
    if (attachment.closedByServer && attachment.info.protocol === 'websocket') return undefined;
    const service = this.#services.byPrefix(attachment.info.prefix);
    if (service === undefined) return undefined;
    this.#topics.socket(attachment.info.connectionId, ws);
    let server: SockJSServer | undefined;
    try {
      server = this.#server(service);
      handlers = adapterHooks.resumeWebSocket(
        server,
        attachment.info,
        this.#socketApi(ws, attachment.info.prefix),
      );
    } catch (error) {
      // An application listener threw while the connection was announced: the other sockets
      // of a wake are still resumed.
      (server?.options.log ?? this.#services.log)('error', `resuming a WebSocket failed: ${describe(error)}`);
      return undefined;
    }
    this.#handlers.set(ws, handlers);
    return handlers;
  }
}

function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get('Upgrade')?.toLowerCase() === 'websocket';
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * The class to export from the Worker and bind in wrangler.toml, as a class declaration so that
 * `wrangler types` can name it in `Env`:
 *   export class SockJSSessions extends sockjsDurableObject(services) {}
 */
export function sockjsDurableObject<Env>(
  services: ServiceList<Env>,
  options: SockJSDurableObjectOptions = {},
): SockJSDurableObjectClass<Env> {
  // Read once per isolate, as the Worker does: `env` is the same for every object of it.
  let definitions: readonly WorkersServiceDefinition<Env>[] | undefined;
  return class extends SockJSDurableObject<Env> {
    constructor(ctx: DurableObjectState, env: Env) {
      definitions ??= typeof services === 'function' ? services(env) : services;
      super(ctx, env, definitions, options);
    }
  };
}
