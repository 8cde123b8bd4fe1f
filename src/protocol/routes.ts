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
  /** Matched against the path after the prefix. */
  pattern: RegExp;
  endpoint: Endpoint;
  /** The route exists only if this returns true for the enabled transports. */
  enabled: (transports: ReadonlySet<TransportName>) => boolean;
}

export type RouteMatch =
  | { kind: 'endpoint'; endpoint: Endpoint; sessionId: string | null }
  | { kind: 'method-not-allowed'; allow: string }
  | { kind: 'not-found' };

const always = () => true;
const when =
  (...names: TransportName[]) =>
  (enabled: ReadonlySet<TransportName>) =>
    names.some((name) => enabled.has(name));

/** `/{server}/{session}/{transport}`: ids are non-empty and contain no `/` or `.`. */
function sessionRoute(transport: string): RegExp {
  return new RegExp(`^/[^/.]+/([^/.]+)/${transport}/?$`);
}

export interface RouterOptions {
  transports: ReadonlySet<TransportName>;
  /** sockjs-node removes the iframe route when CORS handling is disabled. */
  iframe: boolean;
}

export class Router {
  readonly #routes: RouteDefinition[];

  constructor(options: RouterOptions) {
    const xhrSendUsers = when('xhr-polling', 'xhr-streaming', 'eventsource', 'htmlfile');
    const definitions: RouteDefinition[] = [
      { method: 'GET', pattern: /^\/?$/, endpoint: 'greeting', enabled: always },
      { method: 'GET', pattern: /^\/info\/?$/, endpoint: 'info', enabled: always },
      { method: 'OPTIONS', pattern: /^\/info\/?$/, endpoint: 'info-options', enabled: always },
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
      },
      {
        method: 'GET',
        pattern: sessionRoute('websocket'),
        endpoint: 'websocket',
        enabled: when('websocket'),
      },
      { method: 'POST', pattern: sessionRoute('xhr'), endpoint: 'xhr', enabled: when('xhr-polling') },
      {
        method: 'OPTIONS',
        pattern: sessionRoute('xhr'),
        endpoint: 'xhr-options',
        enabled: when('xhr-polling'),
      },
      { method: 'POST', pattern: sessionRoute('xhr_send'), endpoint: 'xhr-send', enabled: xhrSendUsers },
      {
        method: 'OPTIONS',
        pattern: sessionRoute('xhr_send'),
        endpoint: 'xhr-send-options',
        enabled: xhrSendUsers,
      },
      {
        method: 'POST',
        pattern: sessionRoute('xhr_streaming'),
        endpoint: 'xhr-streaming',
        enabled: when('xhr-streaming'),
      },
      {
        method: 'OPTIONS',
        pattern: sessionRoute('xhr_streaming'),
        endpoint: 'xhr-streaming-options',
        enabled: when('xhr-streaming'),
      },
      {
        method: 'GET',
        pattern: sessionRoute('eventsource'),
        endpoint: 'eventsource',
        enabled: when('eventsource'),
      },
      { method: 'GET', pattern: sessionRoute('htmlfile'), endpoint: 'htmlfile', enabled: when('htmlfile') },
      { method: 'GET', pattern: sessionRoute('jsonp'), endpoint: 'jsonp', enabled: when('jsonp-polling') },
      {
        method: 'POST',
        pattern: sessionRoute('jsonp_send'),
        endpoint: 'jsonp-send',
        enabled: when('jsonp-polling'),
      },
    ];
    this.#routes = definitions.filter((route) => route.enabled(options.transports));
  }

  /**
   * Resolves a path relative to the prefix (raw, not percent-decoded). A path that some route
   * matches with another method is a 405 listing every method that would match.
   */
  match(method: string, path: string): RouteMatch {
    let allow: string[] | null = null;
    for (const route of this.#routes) {
      const found = route.pattern.exec(path);
      if (found === null) continue;
      if (route.method === method) {
        return { kind: 'endpoint', endpoint: route.endpoint, sessionId: found[1] ?? null };
      }
      allow ??= [];
      allow.push(route.method);
    }
    return allow === null ? { kind: 'not-found' } : { kind: 'method-not-allowed', allow: allow.join(', ') };
  }
}
