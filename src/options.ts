/**
 * Server options: TypeScript-style names, sockjs-node's snake_case names accepted as aliases,
 * defaults as in sockjs-node, and validation that fails at construction with a clear message.
 */
import { compileOriginPolicy, type OriginCheck, type OriginPolicy, type TrustProxy } from './access.ts';
import { TRANSPORTS, type TransportName } from './protocol/routes.ts';
import { InMemoryTopicBroker, type TopicBroker } from './topics.ts';

export type LogSeverity = 'debug' | 'info' | 'error';
export type Logger = (severity: LogSeverity, message: string) => void;

/** What `authorize` may answer: allow (`true`, nothing, or `{ data }`), refuse (`false`: 403), or a Response to send. */
export type AuthorizeResult = boolean | Response | { data: unknown } | undefined;

export interface AuthorizeDetails {
  /** The transport about to open the session: `websocket`, `xhr-streaming`, ... */
  transport: string;
  /** The client address, after `trustProxy`. */
  remoteAddress: string | undefined;
}

export type Authorize = (
  request: Request,
  details: AuthorizeDetails,
) => AuthorizeResult | Promise<AuthorizeResult>;

export interface SockJSServerOptions {
  /** Path the service is mounted at, e.g. `/echo`. Default `''` (the whole origin). */
  prefix?: string;
  /** Bytes (JS string length) a streaming response may carry before the client must reconnect. Default 131072. */
  responseLimit?: number;
  /** Enable the `websocket` and raw `websocket` transports. Default true. */
  websocket?: boolean;
  /** Transports to offer. Default all seven. */
  transports?: readonly TransportName[];
  /**
   * `true` sets `JSESSIONID` on session requests, for load balancers with cookie stickiness.
   * A function returns the whole `Set-Cookie` value to send (or nothing). Default false.
   */
  jsessionid?: boolean | ((request: Request) => string | null | undefined);
  /** Milliseconds of silence before an `h` frame is sent. Default 25000. */
  heartbeatDelay?: number;
  /** Milliseconds a session waits for a receiver before it is closed. Default 5000. */
  disconnectDelay?: number;
  /** The client script the iframe page loads; must be the same version as the page's client. */
  sockjsUrl?: string;
  /** Leave out every CORS header (and the iframe page). Default false. */
  disableCors?: boolean;
  /** `base_url` for `/info`: a string, or a function of the request. */
  baseUrl?: string | ((request: Request) => string);
  /** Largest request body (`xhr_send`, `jsonp_send`) or WebSocket message accepted, in bytes. Default 1 MiB. */
  maxMessageSize?: number;
  /**
   * Origins allowed to use the service from a browser: exact origins (`https://app.example.com`),
   * patterns (`https://*.example.com`, `http://localhost:*`) or a predicate. Requests from other
   * origins get 403 on every CORS and WebSocket route, and the transports that cannot be
   * origin-checked (htmlfile, jsonp, and the iframe page) are switched off. Requests from the
   * service's own origin, and requests without `Origin` (non-browser clients), are allowed.
   * Default: any origin, as sockjs-node.
   */
  origins?: OriginPolicy;
  /** `X-Frame-Options` (and the matching CSP `frame-ancestors`) for the iframe page. Default: none. */
  frameOptions?: 'DENY' | 'SAMEORIGIN' | false;
  /**
   * Runs before a session opens (first request of an HTTP session, or a WebSocket upgrade) with
   * the original request: cookies, headers, URL. Refuse with `false` (403) or a Response; allow with
   * `true`, nothing, or `{ data }` to set `connection.data` (keep it JSON-serializable on Workers).
   */
  authorize?: Authorize;
  /** Take the client address from `X-Forwarded-For`: `true` (left-most) or the number of trusted proxies. Default false. */
  trustProxy?: TrustProxy;
  /** Open sessions a server accepts at once; more get 503. Default 100000. */
  maxSessions?: number;
  /**
   * Messages a session holds for a client that is away (between polls) or not keeping up; one
   * more closes the session with `c[1013,"Message queue full"]`. Default 10000.
   */
  maxQueuedMessages?: number;
  /** Total size of those messages (as string length, = bytes for ASCII). Default 16 MiB. */
  maxQueuedBytes?: number;
  /** Receives diagnostics. Default: errors to `console.error`, nothing else. */
  log?: Logger;
  /**
   * Carries `publish`ed messages to other instances (`createRedisBroker` from
   * `sockjs-fetch/redis`). Servers given the same broker share their topics. Default: an
   * in-memory broker of this server alone.
   */
  broker?: TopicBroker;
}

/** The sockjs-node names, accepted so existing option objects move over unchanged. */
export interface SockJSNodeOptions {
  prefix?: string;
  response_limit?: number;
  websocket?: boolean;
  transports?: readonly TransportName[];
  jsessionid?: SockJSServerOptions['jsessionid'];
  heartbeat_delay?: number;
  disconnect_delay?: number;
  sockjs_url?: string;
  disable_cors?: boolean;
  base_url?: SockJSServerOptions['baseUrl'];
  log?: Logger;
  /** faye-websocket options have no equivalent here; accepted and ignored with a logged notice. */
  faye_server_options?: unknown;
}

export type ServerOptionsInput = SockJSServerOptions & SockJSNodeOptions;

export interface ResolvedOptions {
  prefix: string;
  responseLimit: number;
  transports: ReadonlySet<TransportName>;
  jsessionid: false | ((request: Request) => string | null | undefined);
  heartbeatDelay: number;
  disconnectDelay: number;
  sockjsUrl: string;
  disableCors: boolean;
  baseUrl: string | ((request: Request) => string) | undefined;
  maxMessageSize: number;
  /** Null when every origin is allowed. */
  originCheck: OriginCheck | null;
  frameOptions: 'DENY' | 'SAMEORIGIN' | false;
  authorize: Authorize | null;
  trustProxy: TrustProxy;
  maxSessions: number;
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  log: Logger;
  broker: TopicBroker;
}

export const DEFAULT_SOCKJS_URL = 'https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js';

const ALIASES = {
  response_limit: 'responseLimit',
  heartbeat_delay: 'heartbeatDelay',
  disconnect_delay: 'disconnectDelay',
  sockjs_url: 'sockjsUrl',
  disable_cors: 'disableCors',
  base_url: 'baseUrl',
} as const satisfies Record<string, keyof SockJSServerOptions>;

const KNOWN = new Set<string>([
  'prefix',
  'responseLimit',
  'websocket',
  'transports',
  'jsessionid',
  'heartbeatDelay',
  'disconnectDelay',
  'sockjsUrl',
  'disableCors',
  'baseUrl',
  'maxMessageSize',
  'origins',
  'frameOptions',
  'authorize',
  'trustProxy',
  'maxSessions',
  'maxQueuedMessages',
  'maxQueuedBytes',
  'log',
  'broker',
  'faye_server_options',
  ...Object.keys(ALIASES),
]);

export class SockJSOptionsError extends TypeError {
  override name = 'SockJSOptionsError';
}

function fail(message: string): never {
  throw new SockJSOptionsError(`Invalid SockJS option: ${message}`);
}

const defaultLog: Logger = (severity, message) => {
  if (severity === 'error') console.error(`[sockjs] ${message}`);
};

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    fail(`${name} must be a positive integer (got ${String(value)})`);
  }
  return value;
}

function normalizePrefix(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') fail(`prefix must be a string (got ${typeof value})`);
  if (value !== '' && !value.startsWith('/')) fail(`prefix must start with "/" (got "${value}")`);
  if (/[?#]/.test(value)) fail(`prefix must be a plain path (got "${value}")`);
  return value.replace(/\/+$/, '');
}

export function resolveOptions(input: ServerOptionsInput = {}): ResolvedOptions {
  if (typeof input !== 'object' || input === null) fail('options must be an object');
  const raw: Record<string, unknown> = { ...input };
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) fail(`unknown option "${key}"; known options: ${[...KNOWN].join(', ')}`);
  }
  for (const [snake, camel] of Object.entries(ALIASES)) {
    if (raw[snake] === undefined) continue;
    if (raw[camel] !== undefined && raw[camel] !== raw[snake]) {
      fail(`both "${snake}" and "${camel}" are set, to different values`);
    }
    raw[camel] = raw[snake];
  }

  const log = raw.log ?? defaultLog;
  if (typeof log !== 'function') fail('log must be a function (severity, message) => void');

  if (raw.websocket !== undefined && typeof raw.websocket !== 'boolean') fail('websocket must be a boolean');
  let transports: TransportName[];
  if (raw.transports === undefined) {
    transports = [...TRANSPORTS];
  } else {
    if (!Array.isArray(raw.transports)) fail('transports must be an array of transport names');
    for (const name of raw.transports) {
      if (!(TRANSPORTS as readonly unknown[]).includes(name)) {
        fail(`unknown transport "${String(name)}"; known transports: ${TRANSPORTS.join(', ')}`);
      }
    }
    transports = raw.transports as TransportName[];
  }
  if (raw.websocket === false) {
    transports = transports.filter((name) => name !== 'websocket' && name !== 'websocket-raw');
  }

  const jsessionid = raw.jsessionid ?? false;
  if (typeof jsessionid !== 'boolean' && typeof jsessionid !== 'function') {
    fail('jsessionid must be a boolean or a function (request) => Set-Cookie value');
  }

  const sockjsUrl = raw.sockjsUrl ?? DEFAULT_SOCKJS_URL;
  if (typeof sockjsUrl !== 'string' || !/^(\/|https?:)/.test(sockjsUrl)) {
    fail('sockjsUrl must be a string starting with "/", "http:" or "https:"');
  }
  if (raw.disableCors !== undefined && typeof raw.disableCors !== 'boolean')
    fail('disableCors must be a boolean');
  const baseUrl = raw.baseUrl;
  if (baseUrl !== undefined && typeof baseUrl !== 'string' && typeof baseUrl !== 'function') {
    fail('baseUrl must be a string or a function (request) => string');
  }
  let originCheck: OriginCheck | null = null;
  if (raw.origins !== undefined) {
    const origins = raw.origins;
    const valid =
      typeof origins === 'function' ||
      (Array.isArray(origins) && origins.every((entry) => typeof entry === 'string' && entry !== ''));
    if (!valid)
      fail('origins must be an array of origins / patterns, or a function (origin, request) => boolean');
    const anyOrigin = Array.isArray(origins) && origins.includes('*');
    if (!anyOrigin) {
      originCheck = compileOriginPolicy(origins as OriginPolicy);
      // htmlfile and jsonp load as <iframe>/<script> without an Origin to check.
      transports = transports.filter((name) => name !== 'htmlfile' && name !== 'jsonp-polling');
    }
  }
  const frameOptions = raw.frameOptions ?? false;
  if (frameOptions !== false && frameOptions !== 'DENY' && frameOptions !== 'SAMEORIGIN') {
    fail('frameOptions must be "DENY", "SAMEORIGIN" or false');
  }
  if (raw.authorize !== undefined && typeof raw.authorize !== 'function') {
    fail('authorize must be a function (request, details) => result');
  }
  const trustProxy = raw.trustProxy ?? false;
  if (typeof trustProxy !== 'boolean' && !(Number.isInteger(trustProxy) && (trustProxy as number) >= 0)) {
    fail('trustProxy must be a boolean or the number of trusted proxies');
  }
  const broker = raw.broker ?? new InMemoryTopicBroker();
  if (!isTopicBroker(broker)) {
    fail('broker must be a TopicBroker (attach, subscribe, unsubscribe and publish methods)');
  }
  if (raw.faye_server_options !== undefined) {
    (log as Logger)('info', 'faye_server_options has no effect: WebSockets are provided by the runtime');
  }

  return {
    prefix: normalizePrefix(raw.prefix),
    responseLimit: positiveInteger('responseLimit', raw.responseLimit, 128 * 1024),
    transports: new Set(transports),
    jsessionid: jsessionid === true ? defaultJsessionid : (jsessionid as ResolvedOptions['jsessionid']),
    heartbeatDelay: positiveInteger('heartbeatDelay', raw.heartbeatDelay, 25_000),
    disconnectDelay: positiveInteger('disconnectDelay', raw.disconnectDelay, 5_000),
    sockjsUrl,
    disableCors: raw.disableCors === true,
    baseUrl: baseUrl as ResolvedOptions['baseUrl'],
    maxMessageSize: positiveInteger('maxMessageSize', raw.maxMessageSize, 1024 * 1024),
    originCheck,
    frameOptions: frameOptions as ResolvedOptions['frameOptions'],
    authorize: (raw.authorize as Authorize | undefined) ?? null,
    trustProxy: trustProxy as TrustProxy,
    maxSessions: positiveInteger('maxSessions', raw.maxSessions, 100_000),
    maxQueuedMessages: positiveInteger('maxQueuedMessages', raw.maxQueuedMessages, 10_000),
    maxQueuedBytes: positiveInteger('maxQueuedBytes', raw.maxQueuedBytes, 16 * 1024 * 1024),
    log: log as Logger,
    broker,
  };
}

function isTopicBroker(value: unknown): value is TopicBroker {
  if (typeof value !== 'object' || value === null) return false;
  const broker = value as Record<string, unknown>;
  return ['attach', 'subscribe', 'unsubscribe', 'publish'].every(
    (name) => typeof broker[name] === 'function',
  );
}

/** Echo the client's JSESSIONID, or `dummy`: the load balancer only needs a cookie to stick to. */
function defaultJsessionid(request: Request): string {
  const cookie = request.headers.get('Cookie') ?? '';
  const match = /(?:^|;\s*)JSESSIONID=([^;]*)/.exec(cookie);
  return `JSESSIONID=${match?.[1] || 'dummy'}; path=/`;
}
