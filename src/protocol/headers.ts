/**
 * Response header sets the protocol prescribes (PROTOCOL.md 1.0 helpers and conventions).
 */

/**
 * A response's headers as a plain record, which every runtime takes as `HeadersInit`. Not a
 * Fetch `Headers`: on Node that costs more to build (a validated, sorted list; `set` was the
 * hottest function of a polling round trip) than the rest of a small response, while a record
 * goes to `writeHead` as it is. Each name is written in one spelling only (the one here), so a
 * later assignment replaces an earlier one as `Headers.set` would.
 */
export type ResponseHeaders = Record<string, string>;

export const CONTENT_TYPE = {
  text: 'text/plain; charset=UTF-8',
  json: 'application/json; charset=UTF-8',
  javascript: 'application/javascript; charset=UTF-8',
  html: 'text/html; charset=UTF-8',
  eventStream: 'text/event-stream',
} as const;

/** The exact string the protocol suite checks. `no-transform` also keeps proxies from buffering. */
export const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

export function setNoCache(headers: ResponseHeaders): void {
  headers['Cache-Control'] = NO_CACHE;
}

/** `cache1y`: long-lived public caching with an `Expires` one year out. */
export function setCacheOneYear(headers: ResponseHeaders, now: number = Date.now()): void {
  headers['Cache-Control'] = `public, max-age=${ONE_YEAR_SECONDS}`;
  headers.Expires = new Date(now + ONE_YEAR_SECONDS * 1000).toUTCString();
}

/**
 * `xhr_cors`: echo the Origin with credentials (browsers send `withCredentials`), `*` without
 * credentials when there is none, and echo requested headers only when there are some.
 * Eventsource treats `Origin: null` like no Origin (the client opens it without credentials).
 */
export function setCors(headers: ResponseHeaders, request: Request, nullOriginAsWildcard = false): void {
  const origin = request.headers.get('Origin');
  if (origin === null || (nullOriginAsWildcard && origin === 'null')) {
    headers['Access-Control-Allow-Origin'] = '*';
  } else {
    headers['Access-Control-Allow-Origin'] = origin;
    headers['Access-Control-Allow-Credentials'] = 'true';
  }
  // No other helper sets Vary: this is `Headers.append`'s result.
  headers.Vary = 'Origin';
  const requested = request.headers.get('Access-Control-Request-Headers');
  if (requested) headers['Access-Control-Allow-Headers'] = requested;
}

/** The preflight answer for `/info` and the xhr routes. */
export function setPreflight(headers: ResponseHeaders, methods: string): void {
  setCacheOneYear(headers);
  headers['Access-Control-Allow-Methods'] = methods;
  headers['Access-Control-Max-Age'] = String(ONE_YEAR_SECONDS);
}
