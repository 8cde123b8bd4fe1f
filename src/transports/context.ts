/** Everything an endpoint handler gets for one request. */
import type { SockJSConnection } from '../connection.ts';
import type { ResolvedOptions } from '../options.ts';
import type { RuntimeContext } from '../runtime.ts';
import type { SessionRegistry } from '../session-registry.ts';

export interface EndpointContext {
  request: Request;
  url: URL;
  /** The SockJS session id from the path; empty for routes without one. */
  sessionId: string;
  runtime: RuntimeContext;
  options: ResolvedOptions;
  sessions: SessionRegistry;
  /** Tells the server (and so the application) about a connection that just opened. */
  announce: (connection: SockJSConnection) => void;
}
