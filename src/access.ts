/**
 * Who may use a service: the origin allowlist (CORS answers and WebSocket upgrades) and the
 * client address as the application should see it.
 */

/** `origins` option: exact origins, `*`-wildcard patterns, or a predicate. */
export type OriginPolicy = readonly string[] | ((origin: string, request: Request) => boolean);

export type OriginCheck = (origin: string, request: Request) => boolean;

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${escaped}$`, 'i');
}

/**
 * Compiles the allowlist. `https://*.example.com` matches any subdomain (not the apex),
 * `http://localhost:*` any port, and a lone `*` everything. `null` (sandboxed frames, file://)
 * only matches when listed as `'null'`.
 */
export function compileOriginPolicy(policy: OriginPolicy): OriginCheck {
  if (typeof policy === 'function') return policy;
  if (policy.includes('*')) return () => true;
  const exact = new Set(policy.filter((entry) => !entry.includes('*')).map((entry) => entry.toLowerCase()));
  const patterns = policy.filter((entry) => entry.includes('*')).map(patternToRegExp);
  return (origin) => exact.has(origin.toLowerCase()) || patterns.some((pattern) => pattern.test(origin));
}

/** `allowedHosts`, compiled: true when a request's host name may be answered. */
export type HostCheck = (hostname: string) => boolean;

/** `[::1]` and `::1` name the same host: URLs bracket IPv6 literals, people may not. */
const bareHost = (host: string) => host.toLowerCase().replace(/^\[(.*)\]$/, '$1');

/**
 * Compiles `allowedHosts`: `example.com` matches exactly that name, `.example.com` that name
 * and every subdomain (as in Vite and webpack-dev-server).
 */
export function compileHostPolicy(hosts: readonly string[]): HostCheck {
  const exact = new Set(hosts.filter((host) => !host.startsWith('.')).map(bareHost));
  const suffixes = hosts.filter((host) => host.startsWith('.')).map((host) => host.toLowerCase());
  return (hostname) => {
    const host = bareHost(hostname);
    return exact.has(host) || suffixes.some((suffix) => host === suffix.slice(1) || host.endsWith(suffix));
  };
}

/**
 * A request from the page's own origin is always allowed, as browsers allow it anyway. "Own" is
 * what `Host` says, which a DNS-rebinding page controls: `allowedHosts` pins it (see `server.ts`).
 */
export function isSameOrigin(origin: string, url: URL): boolean {
  return origin.toLowerCase() === url.origin.toLowerCase();
}

/**
 * `trustProxy`: false uses the runtime's peer address; true takes the client from the
 * left-most `X-Forwarded-For` entry; a number n trusts n proxies and takes the n-th entry from
 * the right (the address the outermost trusted proxy saw).
 */
export type TrustProxy = boolean | number;

export function clientAddress(
  request: Request,
  peer: string | undefined,
  trust: TrustProxy,
): string | undefined {
  if (trust === false || trust === 0) return peer;
  const forwarded = request.headers.get('X-Forwarded-For');
  if (forwarded === null) return peer;
  const hops = forwarded
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  if (hops.length === 0) return peer;
  if (trust === true) return hops[0];
  return hops[Math.max(0, hops.length - trust)];
}
