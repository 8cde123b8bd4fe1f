/**
 * The HAProxy 2.6 configuration that puts SockJS servers behind one address with sticky routing
 * and no cookie: every request of a session is hashed on its session id, the second-to-last path
 * segment of a session URL (`/<prefix>/<server_id>/<session_id>/<transport>`, any prefix depth),
 * with a consistent hash, so all transports of a session (WebSocket upgrades included) reach the
 * backend that holds it. Requests without a session (`/info`, the greeting, `iframe.html`, raw
 * `/websocket`) carry no key and are balanced round robin.
 *
 * `npm run start:cluster` and the cluster tests run exactly what this generates; README
 * ("Scaling out") prints it for three backends.
 */

export interface HaproxyBackend {
  /** Server name in HAProxy (logs, stats); letters, digits, `-` and `_`. */
  name: string;
  host: string;
  port: number;
}

export interface HealthCheck {
  /** Interval between checks, milliseconds. */
  interMs: number;
  /** Failed checks before a server is marked down. */
  fall: number;
  /** Passed checks before a down server is marked up again (it then takes its keys back). */
  rise: number;
}

export interface HaproxyConfigOptions {
  bind: { host: string; port: number };
  backends: readonly HaproxyBackend[];
  /** A service prefix whose greeting (`GET <prefix>`, "Welcome to SockJS!") is the health check. */
  healthPath?: string;
  check?: HealthCheck;
  /**
   * Log one line per request to stderr as soon as its response starts:
   * `route <server> <method> <path> <status>` (the tests read it to see where requests went).
   */
  logRequests?: boolean;
  /** Serve HAProxy's statistics page (`/;csv` for CSV) on this 127.0.0.1 port. */
  statsPort?: number;
}

/** Production-like checks: a dead backend is down after about 6 s; a recovered one back after 6 s. */
export const DEFAULT_CHECK: HealthCheck = { interMs: 2000, fall: 3, rise: 3 };

/**
 * The start of a session URL's pattern (the rule adds `$` or `/$`): at least one prefix segment, then server id, session id (neither may contain a
 * `.`) and a transport name. A raw WebSocket under a prefix of three or more segments
 * (`/a/b/c/websocket`) also matches and is hashed on `c`: harmless, it is one connection and may
 * go anywhere.
 */
export const SESSION_PATH = '^/.+/[^/.]+/[^/.]+/[a-z_]+';

const NAME = /^[A-Za-z0-9_-]+$/;

export function haproxyConfig(options: HaproxyConfigOptions): string {
  const check = options.check ?? DEFAULT_CHECK;
  const healthPath = options.healthPath ?? '/echo';
  if (options.backends.length === 0) throw new Error('haproxyConfig: at least one backend');
  for (const backend of options.backends) {
    if (!NAME.test(backend.name)) throw new Error(`haproxyConfig: bad server name ${backend.name}`);
  }
  if (!/^\/[^\s"]*$/.test(healthPath)) throw new Error(`haproxyConfig: bad health path ${healthPath}`);

  const lines = [
    'global',
    // Foreground (`haproxy -db`), logs on stderr: the supervisor owns the process.
    '    log stderr format raw local0 info',
    // A reload (`-sf`/SIGUSR2) lets old workers keep their WebSockets; bound how long.
    '    hard-stop-after 30s',
    '',
    'defaults',
    '    mode http',
    '    log global',
    '    option dontlognull',
    '    timeout connect 5s',
    // Above the 25 s heartbeat: a poll waits up to 25 s for its `h` frame.
    '    timeout client 60s',
    '    timeout server 60s',
    '    timeout client-fin 30s',
    '    timeout http-request 30s',
    // After `101 Switching Protocols` this replaces client/server timeouts. SockJS WebSockets
    // carry heartbeats; raw `/websocket` ones have none, and die after an hour of silence.
    '    timeout tunnel 1h',
    '    timeout check 2s',
    '',
    'frontend sockjs',
    `    bind ${options.bind.host}:${options.bind.port}`,
    '    option forwardfor',
    // The session id is the second-to-last segment of a session URL, at any prefix depth (the
    // third-to-last with the one trailing slash servers tolerate).
    `    http-request set-var(txn.sid) path,field(-2,/) if { path_reg ${SESSION_PATH}$ }`,
    `    http-request set-var(txn.sid) path,field(-3,/) if { path_reg ${SESSION_PATH}/$ }`,
    ...(options.logRequests
      ? ['    option logasap', '    log-format "route %s %HM %HP %ST"']
      : ['    option httplog']),
    '    default_backend sockjs',
    '',
    'backend sockjs',
    // No session id (`/info`, greeting, iframe page, raw WebSocket): round robin.
    '    balance hash var(txn.sid)',
    // Only a dead server's sessions move; map-based hashing would remap almost all of them.
    '    hash-type consistent',
    '    option httpchk',
    // HTTP/1.1 with a Host: servers build the request URL from it (without one, Node answers 400).
    `    http-check send meth GET uri ${healthPath} ver HTTP/1.1 hdr Host sockjs-health-check`,
    '    http-check expect string "Welcome to SockJS!"',
    // A session's requests must never be sent to another server: it would answer 404 or open a
    // new session. Retries (on connection failures only) stay on the same server.
    '    no option redispatch',
    '    retries 2',
    `    default-server inter ${check.interMs}ms fall ${check.fall} rise ${check.rise} on-marked-down shutdown-sessions`,
    // Fixed ids: every balancer given the same list hashes every session to the same server.
    ...options.backends.map(
      (backend, index) => `    server ${backend.name} ${backend.host}:${backend.port} id ${index + 1} check`,
    ),
  ];
  if (options.statsPort !== undefined) {
    lines.push(
      '',
      'frontend stats',
      `    bind 127.0.0.1:${options.statsPort}`,
      '    no log',
      '    stats enable',
      '    stats uri /',
    );
  }
  return `${lines.join('\n')}\n`;
}
