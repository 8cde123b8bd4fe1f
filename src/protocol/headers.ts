/**
 * Response header sets the protocol prescribes (PROTOCOL.md 1.0 helpers and conventions).
 */

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

export function setNoCache(headers: Headers): void {
  headers.set('Cache-Control', NO_CACHE);
}

/** `cache1y`: long-lived public caching with an `Expires` one year out. */
export function setCacheOneYear(headers: Headers, now: number = Date.now()): void {
  headers.set('Cache-Control', `public, max-age=${ONE_YEAR_SECONDS}`);
  headers.set('Expires', new Date(now + ONE_YEAR_SECONDS * 1000).toUTCString());
}

/**
 * `xhr_cors`: echo the Origin with credentials (browsers send `withCredentials`), `*` without
 * credentials when there is none, and echo requested headers only when there are some.
 * Eventsource treats `Origin: null` like no Origin (the client opens it without credentials).
 */
export function setCors(headers: Headers, request: Request, nullOriginAsWildcard = false): void {
  const origin = request.headers.get('Origin');
  if (origin === null || (nullOriginAsWildcard && origin === 'null')) {
    headers.set('Access-Control-Allow-Origin', '*');
  } else {
    headers.set('Access-Control-Allow-Origin', origin);
    headers.set('Access-Control-Allow-Credentials', 'true');
  }
  headers.append('Vary', 'Origin');
  const requested = request.headers.get('Access-Control-Request-Headers');
  if (requested) headers.set('Access-Control-Allow-Headers', requested);
}

/** The preflight answer for `/info` and the xhr routes. */
export function setPreflight(headers: Headers, methods: string): void {
  setCacheOneYear(headers);
  headers.set('Access-Control-Allow-Methods', methods);
  headers.set('Access-Control-Max-Age', String(ONE_YEAR_SECONDS));
}
