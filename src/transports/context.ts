/** Everything an endpoint handler gets for one request. */
import type { ConnectionObserver, SockJSConnection } from '../connection.ts';
import type { ResolvedOptions } from '../options.ts';
import type { RuntimeContext } from '../runtime.ts';
import type { SessionRegistry } from '../session-registry.ts';

export interface EndpointContext {
  request: Request;
  url: URL;
  /** The SockJS session id from the path; empty for routes without one. */
  sessionId: string;
  runtime: RuntimeContext;
  /** The client address, after `trustProxy`. */
  remoteAddress: string | undefined;
  /** Sessions open right now, on every transport (for `maxSessions`). */
  openSessions: () => number;
  options: ResolvedOptions;
  sessions: SessionRegistry;
  /** Hears every connection's messages and close (the server's server-level events). */
  observer: ConnectionObserver;
  /** Tells the server (and so the application) about a connection that just opened or resumed. */
  announce: (connection: SockJSConnection, resumed?: boolean) => void;
}
