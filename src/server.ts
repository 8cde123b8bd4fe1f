/**
 * `SockJSServer`: one SockJS service at one prefix, served as a Fetch handler.
 *
 *   const server = new SockJSServer({ prefix: '/echo' });
 *   server.addEventListener('connection', ({ connection }) => {
 *     connection.addEventListener('message', (event) => connection.send(event.data));
 *   });
 *   // in any runtime: (request) => server.fetch(request, runtimeContext)
 */
import { clientAddress, isSameOrigin } from './access.ts';
import type { ConnectionObserver, SockJSConnection } from './connection.ts';
import { type IframeDocument, iframe, renderIframe } from './endpoints/iframe.ts';
import { info, infoOptions } from './endpoints/info.ts';
import {
  type AddListenerOptions,
  type Listener,
  type ListenerOptions,
  SockJSConnectionEvent,
  SockJSDisconnectEvent,
  SockJSMessageEvent,
} from './events.ts';
import {
  badRequestNoHost,
  methodNotAllowed,
  notFound,
  orNotFound,
  requestUrl,
  textResponse,
} from './http.ts';
import { type ResolvedOptions, resolveOptions, type ServerOptionsInput } from './options.ts';
import { CONTENT_TYPE } from './protocol/headers.ts';
import { type Endpoint, pathUnderPrefix, Router } from './protocol/routes.ts';
import type { RuntimeContext, ServerWebSocket, WebSocketHandlers, WebSocketInfo } from './runtime.ts';
import { SessionRegistry, type SessionStore } from './session-registry.ts';
import { assertTopic, type TopicRegistry, topicRegistry } from './topics.ts';
import type { EndpointContext } from './transports/context.ts';
import { eventSource } from './transports/eventsource.ts';
import { htmlfile } from './transports/htmlfile.ts';
import { jsonpPolling, jsonpSend } from './transports/jsonp.ts';
import { rawWebSocket, resumeRawWebSocket } from './transports/raw-websocket.ts';
import { resumeWebSocket, websocket } from './transports/websocket.ts';
import { xhrOptions, xhrPolling, xhrStreaming } from './transports/xhr.ts';
import { xhrSend } from './transports/xhr-send.ts';

type EndpointHandler = (ctx: EndpointContext) => Response | Promise<Response>;

const GREETING = 'Welcome to SockJS!\n';
const HOST_REFUSED = 'Host not allowed';

export interface SockJSServerEventMap {
  connection: SockJSConnectionEvent;
  /** A message from any connection (use this, not per-connection listeners, to survive hibernation). */
  message: SockJSMessageEvent;
  /** A connection closed. */
  disconnect: SockJSDisconnectEvent;
}

/** How the server would handle a request, without handling it: what a Workers router needs. */
export type RequestRoute =
  | { kind: 'not-mine' }
  | { kind: 'stateless' }
  | { kind: 'session'; sessionId: string; endpoint: Endpoint }
  | { kind: 'raw-websocket' };

/**
 * What runtime adapters need of a server beyond its public API: internal to the package (not
 * exported from its entry point), so applications never see it.
 */
export interface AdapterHooks {
  /**
   * Rebuilds the connection of a hibernated WebSocket that outlived the server's memory,
   * announces it (`connection` with `resumed: true`) and returns the handlers for the socket's
   * further events.
   */
  resumeWebSocket(server: SockJSServer, info: WebSocketInfo, socket: ServerWebSocket): WebSocketHandlers;
  /** Records sessions in durable storage so a restart can answer lost ones. */
  setSessionStore(server: SockJSServer, store: SessionStore | null): void;
  /** Whether `pathname` is under the server's prefix (`owns` for a path already read). */
  ownsPath(server: SockJSServer, pathname: string): boolean;
  /** `handle` for a caller that already parsed the request's URL (`combineServices`): one parse. */
  handleAt(
    server: SockJSServer,
    request: Request,
    url: URL,
    runtime: RuntimeContext,
  ): Promise<Response | undefined>;
}

/** Assigned in the class's static block, which can reach its private fields. */
export let adapterHooks: AdapterHooks;

// Typed listeners, as on the DOM's WebSocket.
export interface SockJSServer {
  removeEventListener<K extends keyof SockJSServerEventMap>(
    type: K,
    listener: (this: SockJSServer, event: SockJSServerEventMap[K]) => void,
    options?: boolean | ListenerOptions,
  ): void;
  removeEventListener(type: string, listener: Listener | null, options?: boolean | ListenerOptions): void;
}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export class SockJSServer extends EventTarget {
  readonly options: Readonly<ResolvedOptions>;
  onconnection: ((event: SockJSConnectionEvent) => void) | null = null;
  onmessage: ((event: SockJSMessageEvent) => void) | null = null;
  ondisconnect: ((event: SockJSDisconnectEvent) => void) | null = null;

  readonly #router: Router;
  readonly #sessions: SessionRegistry;
  readonly #connections = new Set<SockJSConnection>();
  readonly #topics: TopicRegistry;
  readonly #handlers: Record<Endpoint, EndpointHandler>;
  #iframe: Promise<IframeDocument> | null = null;
  /** The context's callbacks, made once rather than per request. */
  readonly #openSessions = () => this.#connections.size;
  readonly #announceConnection = (connection: SockJSConnection, resumed?: boolean) =>
    this.#announce(connection, resumed);
  /** Server-level events cost an Event per message: only made when someone listens. */
  #serverLevelListeners = { message: false, disconnect: false };
  readonly #observer: ConnectionObserver = {
    topics: () => this.#topics,
    message: (connection, data) => {
      if (!this.#serverLevelListeners.message && this.onmessage === null) return;
      const event = new SockJSMessageEvent(connection, data);
      this.onmessage?.(event);
      this.dispatchEvent(event);
    },
    closed: (connection, info) => {
      this.#connections.delete(connection);
      if (!this.#serverLevelListeners.disconnect && this.ondisconnect === null) return;
      const event = new SockJSDisconnectEvent(connection, info);
      this.ondisconnect?.(event);
      this.dispatchEvent(event);
    },
  };

  constructor(options: ServerOptionsInput = {}) {
    super();
    this.options = resolveOptions(options);
    this.#topics = topicRegistry(this.options.broker);
    // The iframe page cannot be origin-checked: it goes with the allowlist, as in Spring.
    this.#router = new Router({
      transports: this.options.transports,
      iframe: !this.options.disableCors && this.options.originCheck === null,
    });
    this.#sessions = new SessionRegistry({
      prefix: this.options.prefix,
      heartbeatDelay: this.options.heartbeatDelay,
      disconnectDelay: this.options.disconnectDelay,
      maxQueuedMessages: this.options.maxQueuedMessages,
      maxQueuedBytes: this.options.maxQueuedBytes,
      onOpen: (connection) => this.#announce(connection),
      observer: this.#observer,
    });
    this.#handlers = {
      greeting: () => textResponse(200, GREETING),
      info,
      'info-options': infoOptions,
      iframe: async (ctx) => iframe(ctx.request, await this.#iframeDocument(), this.options.frameOptions),
      'raw-websocket': rawWebSocket,
      websocket,
      xhr: xhrPolling,
      'xhr-options': xhrOptions,
      'xhr-send': xhrSend,
      'xhr-send-options': xhrOptions,
      'xhr-streaming': xhrStreaming,
      'xhr-streaming-options': xhrOptions,
      eventsource: eventSource,
      htmlfile,
      jsonp: jsonpPolling,
      'jsonp-send': jsonpSend,
    };
  }

  /** Open connections on every transport. */
  get connections(): ReadonlySet<SockJSConnection> {
    return this.#connections;
  }

  override addEventListener<K extends keyof SockJSServerEventMap>(
    type: K,
    listener: (this: SockJSServer, event: SockJSServerEventMap[K]) => void,
    options?: boolean | AddListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: Listener | null,
    options?: boolean | AddListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: Listener | null,
    options?: boolean | AddListenerOptions,
  ): void {
    if (type === 'message' || type === 'disconnect') this.#serverLevelListeners[type] = true;
    super.addEventListener(type, listener, options);
  }

  /** True when `request`'s path is under this server's prefix. */
  owns(request: Request | URL): boolean {
    const url = request instanceof URL ? request : requestUrl(request);
    return url !== null && this.#relativePath(url.pathname) !== null;
  }

  /** Which kind of request this is, for routers that place sessions (Durable Objects). */
  route(request: Request): RequestRoute {
    const url = requestUrl(request);
    const path = url === null ? null : this.#relativePath(url.pathname);
    if (path === null) return { kind: 'not-mine' };
    const match = this.#router.match(request.method, path);
    if (match.kind !== 'endpoint') return { kind: 'stateless' };
    if (match.endpoint === 'raw-websocket') return { kind: 'raw-websocket' };
    if (this.#router.isSessionEndpoint(match.endpoint))
      return { kind: 'session', sessionId: match.sessionId!, endpoint: match.endpoint };
    return { kind: 'stateless' };
  }

  /**
   * Answers a request under the prefix, or returns `undefined` ("not mine") so a host can fall
   * through to its other routes.
   */
  handle(request: Request, runtime: RuntimeContext = {}): Promise<Response | undefined> {
    const url = requestUrl(request);
    if (url === null) return Promise.resolve(badRequestNoHost());
    return this.#handleAtAsync(request, url, runtime);
  }

  /**
   * `#handleAt`'s answer as a promise. An application's hook (`originCheck`, `allowedHosts`'
   * predicate) may throw: a rejection, as from an async function, without its hops.
   */
  #handleAtAsync(request: Request, url: URL, runtime: RuntimeContext): Promise<Response | undefined> {
    try {
      const answer = this.#handleAt(request, url, runtime);
      return answer instanceof Promise ? answer : Promise.resolve(answer);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Not an async function: most answers are ready at once (every poll, open and preflight without
   * an `authorize`), and an async wrapper would cost a promise and its hops on each of them.
   */
  #handleAt(
    request: Request,
    url: URL,
    runtime: RuntimeContext,
  ): Response | undefined | Promise<Response | undefined> {
    const path = this.#relativePath(url.pathname);
    if (path === null) return undefined;
    // Before anything else, so the same-origin exemption below only ever sees pinned hosts.
    if (this.options.hostCheck !== null && !this.options.hostCheck(url.hostname)) {
      this.options.log('info', `${request.method} ${url.pathname}: host ${url.host} refused`);
      return textResponse(403, HOST_REFUSED);
    }
    const match = this.#router.match(request.method, path);
    if (match.kind === 'not-found') return notFound();
    if (match.kind === 'method-not-allowed') return methodNotAllowed(match.allow);
    if (this.options.originCheck !== null && this.#router.isOriginChecked(match.endpoint)) {
      const origin = request.headers.get('Origin');
      if (origin !== null && !isSameOrigin(origin, url) && !this.options.originCheck(origin, request)) {
        this.options.log('info', `${request.method} ${url.pathname}: origin ${origin} refused`);
        return textResponse(403, 'Origin not allowed');
      }
    }
    const ctx: EndpointContext = {
      request,
      url,
      sessionId: match.sessionId ?? '',
      runtime,
      remoteAddress: clientAddress(request, runtime.remoteAddress, this.options.trustProxy),
      openSessions: this.#openSessions,
      options: this.options,
      sessions: this.#sessions,
      observer: this.#observer,
      announce: this.#announceConnection,
    };
    try {
      const answer = this.#handlers[match.endpoint](ctx);
      return answer instanceof Promise ? answer.catch((error) => this.#failed(request, url, error)) : answer;
    } catch (error) {
      return this.#failed(request, url, error);
    }
  }

  /** A handler threw: logged, and answered with a plain 500. */
  #failed(request: Request, url: URL, error: unknown): Response {
    this.options.log('error', `${request.method} ${url.pathname} failed: ${describe(error)}`);
    return new Response('500 - Internal Server Error', {
      status: 500,
      headers: { 'Content-Type': CONTENT_TYPE.text },
    });
  }

  /** A complete Fetch handler: requests outside the prefix get the protocol's 404. */
  fetch(request: Request, runtime: RuntimeContext = {}): Promise<Response> {
    const url = requestUrl(request);
    if (url === null) return Promise.resolve(badRequestNoHost());
    // Not `#handleAtAsync(...).then(orNotFound)`: a ready answer (most are) takes no hop.
    try {
      const answer = this.#handleAt(request, url, runtime);
      return answer instanceof Promise ? answer.then(orNotFound) : Promise.resolve(answer ?? notFound());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends `data` to every connection subscribed to `topic`: at once to those of this process
   * (and of every server given the same broker), minus `exclude`, with the frame encoded once
   * for all of them; then through the broker to the other instances. Resolves when the broker
   * has accepted the message; rejects when it cannot publish (its connection is down), after the
   * local delivery, which happens regardless. Not awaiting it is safe: the rejection is then
   * only reported by the broker (its `error` event). Messages reach each connection in the order of
   * the `publish` calls (per publishing process).
   */
  publish(topic: string, data: string, options: { exclude?: SockJSConnection } = {}): Promise<void> {
    assertTopic(topic);
    // JavaScript callers may pass anything: coerce like `connection.send`, refuse binary loudly.
    const value: unknown = data;
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      throw new TypeError('SockJS carries text only: encode binary data (for example as base64) first');
    }
    const text = typeof value === 'string' ? value : String(value);
    this.#topics.deliver(topic, text, options.exclude);
    const accepted = this.#topics.broker.publish(topic, text);
    // A caller that does not await must not crash the process (Node ends it on an unhandled
    // rejection) when the broker is down: the broker reports the failure through its own
    // events too, and an `await` still sees the rejection.
    accepted.catch(() => {});
    return accepted;
  }

  /** Closes every open connection, e.g. before shutting down. */
  closeAll(code = 1001, reason = 'Server shutting down'): void {
    for (const connection of this.#connections) connection.close(code, reason);
  }

  static {
    adapterHooks = {
      resumeWebSocket: (server, info, socket) => {
        const ctx = {
          sessions: server.#sessions,
          options: server.options,
          observer: server.#observer,
          manualHeartbeats: true,
          announce: (connection: SockJSConnection, resumed?: boolean) =>
            server.#announce(connection, resumed),
        };
        return info.protocol === 'websocket'
          ? resumeWebSocket(ctx, info, socket)
          : resumeRawWebSocket(ctx, info, socket);
      },
      setSessionStore: (server, store) => {
        server.#sessions.store = store;
      },
      ownsPath: (server, pathname) => server.#relativePath(pathname) !== null,
      handleAt: (server, request, url, runtime) => server.#handleAtAsync(request, url, runtime),
    };
  }

  #iframeDocument(): Promise<IframeDocument> {
    this.#iframe ??= renderIframe(this.options.sockjsUrl);
    return this.#iframe;
  }

  #relativePath(pathname: string): string | null {
    return pathUnderPrefix(this.options.prefix, pathname);
  }

  #announce(connection: SockJSConnection, resumed = false): void {
    this.#connections.add(connection);
    const event = new SockJSConnectionEvent(connection, resumed);
    this.onconnection?.(event);
    this.dispatchEvent(event);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
