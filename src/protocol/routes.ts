/**
 * Pure routing: which protocol endpoint a method and path address (PROTOCOL.md 1.0, 1.1).
 * No I/O here; the server maps each endpoint to a handler.
 */

/** Transport names as sockjs-node's `transports` option spells them. */
export const TRANSPORTS = [
  'websocket',
  'websocket-raw',
  'xhr-streaming',
  'xhr-polling',
  'eventsource',
  'htmlfile',
  'jsonp-polling',
] as const;
/**
 * Session ids a server accepts: at most 64 characters as sent, each an unreserved or
 * sub-delimiter URL character, or a percent-escape of printable ASCII other than `/` (the
 * protocol suite's `test_anyValue` sends `%20`; a `%2E` is not a dot). sockjs-client sends 8
 * characters, others UUIDs (36). Anything else (`%00`, `%2F`, escaped UTF-8, 100 KB ids) is
 * not a route: 404, on every runtime (and on Workers before any Durable Object is addressed),
 * so a session's id costs a bounded amount of memory.
 */
export const MAX_SESSION_ID_LENGTH = 64;
const SESSION_ID_PATTERN =
  /^(?:[A-Za-z0-9_~!$&'()*+,;=:@-]|%(?:2[0-9A-Ea-e]|[3-6][0-9A-Fa-f]|7[0-9A-Ea-e]))+$/;

export function isValidSessionId(sessionId: string): boolean {
  return sessionId.length <= MAX_SESSION_ID_LENGTH && SESSION_ID_PATTERN.test(sessionId);
}

/**
 * The path below a server's `prefix`, or null when `pathname` is not under it: the prefix itself,
 * or followed by `/` (`/echo` covers `/echo` and `/echo/info`, not `/echoes`).
 */
export function pathUnderPrefix(prefix: string, pathname: string): string | null {
  if (prefix === '') return pathname;
  if (pathname === prefix) return '';
  return pathname.startsWith(prefix) && pathname.charCodeAt(prefix.length) === 47 /* '/' */
    ? pathname.slice(prefix.length)
    : null;
}

export type TransportName = (typeof TRANSPORTS)[number];

export type Endpoint =
  | 'greeting'
  | 'info'
  | 'info-options'
  | 'iframe'
  | 'raw-websocket'
  | 'websocket'
  | 'xhr'
  | 'xhr-options'
  | 'xhr-send'
  | 'xhr-send-options'
  | 'xhr-streaming'
  | 'xhr-streaming-options'
  | 'eventsource'
  | 'htmlfile'
  | 'jsonp'
  | 'jsonp-send';

interface RouteDefinition {
  method: string;
  /** Routes without a session: matched against the path after the prefix. */
  pattern?: RegExp;
  /** Session routes: the path's last segment (see `SESSION_PATH`), e.g. `xhr_send`. */
  transport?: string;
  endpoint: Endpoint;
  /** The route exists only if this returns true for the enabled transports. */
  enabled: (transports: ReadonlySet<TransportName>) => boolean;
  /** Opens or uses a session (a receiver or a send; not the CORS preflights of session routes). */
  session?: true;
  /** Browsers send `Origin` with it (CORS requests, WebSocket upgrades): `origins` applies. */
  originChecked?: true;
}

export type RouteMatch =
  | { kind: 'endpoint'; endpoint: Endpoint; sessionId: string | null }
  | { kind: 'method-not-allowed'; allow: string }
  | { kind: 'not-found' };

const NOT_FOUND: RouteMatch = { kind: 'not-found' };

const always = () => true;
const when =
  (...names: TransportName[]) =>
  (enabled: ReadonlySet<TransportName>) =>
    names.some((name) => enabled.has(name));

/**
 * A session route's path, `/{server}/{session}/{transport}` (ids are non-empty and contain no
 * `/` or `.`), with the session id and the transport segment: one match for every session
 * route, whose transport segment must then be exactly the route's. No other route has this shape.
 */
const SESSION_PATH = /^\/[^/.]+\/([^/.]+)\/([^/]*?)\/?$/;

export interface RouterOptions {
  transports: ReadonlySet<TransportName>;
  /** sockjs-node removes the iframe route when CORS handling is disabled. */
  iframe: boolean;
}

export class Router {
  /** The enabled routes without a session. */
  readonly #routes: RouteDefinition[];
  /** The enabled session routes by their transport segment, in the table's order. */
  readonly #sessionRoutes = new Map<string, RouteDefinition[]>();
  /** Every route by its endpoint (one row each), enabled or not. */
  readonly #byEndpoint: ReadonlyMap<Endpoint, RouteDefinition>;

  constructor(options: RouterOptions) {
    const xhrSendUsers = when('xhr-polling', 'xhr-streaming', 'eventsource', 'htmlfile');
    const definitions: RouteDefinition[] = [
      { method: 'GET', pattern: /^\/?$/, endpoint: 'greeting', enabled: always },
      { method: 'GET', pattern: /^\/info\/?$/, endpoint: 'info', enabled: always, originChecked: true },
      {
        method: 'OPTIONS',
        pattern: /^\/info\/?$/,
        endpoint: 'info-options',
        enabled: always,
        originChecked: true,
      },
      {
        method: 'GET',
        pattern: /^\/iframe[0-9a-z._-]*\.html\/?$/,
        endpoint: 'iframe',
        enabled: () => options.iframe,
      },
      {
        method: 'GET',
        pattern: /^\/websocket\/?$/,
        endpoint: 'raw-websocket',
        enabled: when('websocket-raw'),
        originChecked: true,
      },
      {
        method: 'GET',
        transport: 'websocket',
        endpoint: 'websocket',
        enabled: when('websocket'),
        session: true,
        originChecked: true,
      },
      {
        method: 'POST',
        transport: 'xhr',
        endpoint: 'xhr',
        enabled: when('xhr-polling'),
        session: true,
        originChecked: true,
      },
      {
        method: 'OPTIONS',
        transport: 'xhr',
        endpoint: 'xhr-options',
        enabled: when('xhr-polling'),
        originChecked: true,
      },
      {
        method: 'POST',
        transport: 'xhr_send',
        endpoint: 'xhr-send',
        enabled: xhrSendUsers,
        session: true,
        originChecked: true,
      },
      {
        method: 'OPTIONS',
        transport: 'xhr_send',
        endpoint: 'xhr-send-options',
        enabled: xhrSendUsers,
        originChecked: true,
      },
      {
        method: 'POST',
        transport: 'xhr_streaming',
        endpoint: 'xhr-streaming',
        enabled: when('xhr-streaming'),
        session: true,
        originChecked: true,
      },
      {
        method: 'OPTIONS',
        transport: 'xhr_streaming',
        endpoint: 'xhr-streaming-options',
        enabled: when('xhr-streaming'),
        originChecked: true,
      },
      {
        method: 'GET',
        transport: 'eventsource',
        endpoint: 'eventsource',
        enabled: when('eventsource'),
        session: true,
        originChecked: true,
      },
      {
        method: 'GET',
        transport: 'htmlfile',
        endpoint: 'htmlfile',
        enabled: when('htmlfile'),
        session: true,
      },
      {
        method: 'GET',
        transport: 'jsonp',
        endpoint: 'jsonp',
        enabled: when('jsonp-polling'),
        session: true,
      },
      {
        method: 'POST',
        transport: 'jsonp_send',
        endpoint: 'jsonp-send',
        enabled: when('jsonp-polling'),
        session: true,
      },
    ];
    const enabled = definitions.filter((route) => route.enabled(options.transports));
    this.#routes = enabled.filter((route) => route.transport === undefined);
    for (const route of enabled) {
      if (route.transport === undefined) continue;
      const routes = this.#sessionRoutes.get(route.transport) ?? [];
      routes.push(route);
      this.#sessionRoutes.set(route.transport, routes);
    }
    this.#byEndpoint = new Map(definitions.map((route) => [route.endpoint, route]));
  }

  /** Whether `endpoint` opens or uses a session (its row's `session`). */
  isSessionEndpoint(endpoint: Endpoint): boolean {
    return this.#byEndpoint.get(endpoint)?.session === true;
  }

  /** Whether `origins` applies to `endpoint` (its row's `originChecked`). */
  isOriginChecked(endpoint: Endpoint): boolean {
    return this.#byEndpoint.get(endpoint)?.originChecked === true;
  }

  /**
   * Resolves a path relative to the prefix (raw, not percent-decoded). A path that some route
   * matches with another method is a 405 listing every method that would match.
   */
  match(method: string, path: string): RouteMatch {
    const session = SESSION_PATH.exec(path);
    if (session !== null) {
      const routes = this.#sessionRoutes.get(session[2]!);
      const sessionId = session[1]!;
      if (routes === undefined || !isValidSessionId(sessionId)) return NOT_FOUND;
      return this.#pick(routes, method, sessionId);
    }
    let allow: string[] | null = null;
    for (const route of this.#routes) {
      if (!route.pattern!.test(path)) continue;
      if (route.method === method) return { kind: 'endpoint', endpoint: route.endpoint, sessionId: null };
      allow ??= [];
      allow.push(route.method);
    }
    return allow === null ? NOT_FOUND : { kind: 'method-not-allowed', allow: allow.join(', ') };
  }

  #pick(routes: RouteDefinition[], method: string, sessionId: string): RouteMatch {
    for (const route of routes) {
      if (route.method === method) return { kind: 'endpoint', endpoint: route.endpoint, sessionId };
    }
    return { kind: 'method-not-allowed', allow: routes.map((route) => route.method).join(', ') };
  }
}
